/**
 * The simulated multi-host lab: network namespaces standing for the walkthroughs' hosts on one machine, built
 * from the data plane exactly as real hosts would be, with a record so teardown removes what was made.
 */
package io.overlaynet.lab;
