/**
 * Docker's remote network driver and IPAM driver (libnetwork's plugin protocol), answered by the host's
 * agent on {@code /run/docker/plugins/<name>.sock}. Depends on dataplane and state; the agent
 * implements {@link io.overlaynet.docker.DockerHost}.
 */
package io.overlaynet.docker;
