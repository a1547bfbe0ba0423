/**
 * The CNI plugin (spec 1.1, results also in 1.0.0, 0.4.0, 0.3.x): ADD, DEL, CHECK, STATUS, GC and
 * VERSION, run inside the host's agent, which the small {@code overlaynet-cni} executable
 * ({@code src/main/c}) calls over the local API. Attachments are keyed by network, container id and
 * interface name and are ordinary endpoints named after the key. Depends on dataplane, store (its
 * errors) and state (JSON); the agent implements {@link io.overlaynet.cni.CniHost}.
 */
package io.overlaynet.cni;
