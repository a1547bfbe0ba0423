/**
 * Local records of what overlaynet made on one host (networks, endpoints, peers, labs), used for
 * listing, idempotency and teardown: overlaynet removes only what its records (and the ownership alias
 * on its links) say it made. Depends on Jackson only.
 */
package io.overlaynet.state;
