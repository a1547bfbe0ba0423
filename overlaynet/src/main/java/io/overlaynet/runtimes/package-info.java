/**
 * Clients of container runtimes' own APIs (Docker's Engine API, which podman's service also speaks):
 * where a container's network namespace is. Depends on state (JSON) only.
 */
package io.overlaynet.runtimes;
