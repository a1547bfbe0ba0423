/** Cluster-wide address allocation on top of the store's create-if-absent. Depends on {@code store}. */
package io.overlaynet.ipam;
