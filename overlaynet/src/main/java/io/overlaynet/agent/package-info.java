/**
 * The per-host agent: registers the host under a lease, watches the store, and reconciles: a pure
 * {@link io.overlaynet.agent.Plan} from desired (store) and observed (kernel dumps) state, carried out
 * by an {@link io.overlaynet.agent.Applier}; answers the kernel's misses (reactive mode); serves the
 * local API (endpoints, CNI calls), Docker's network and IPAM driver, and Prometheus metrics; leaves a
 * note per host namespace so commands find it. The cluster's store-wide views and changes
 * ({@link io.overlaynet.agent.Cluster}) live here too. Depends on dataplane, store, ipam, cni, docker.
 */
package io.overlaynet.agent;
