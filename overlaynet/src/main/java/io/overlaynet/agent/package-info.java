/**
 * The per-host agent: registers the host under a lease, watches the store, programs remote endpoints
 * ahead of time (proactive) or answers the kernel's misses (reactive), reconciles against kernel dumps,
 * serves a local API on a Unix socket and Prometheus metrics. Depends on dataplane, store, ipam.
 */
package io.overlaynet.agent;
