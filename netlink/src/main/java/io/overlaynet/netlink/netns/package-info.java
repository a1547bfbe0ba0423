/**
 * Network namespaces as values: open by name, path or pid; create and delete named ones exactly as
 * iproute2 does (bind mounts under a shared {@code /run/netns}); run a task inside one on a dedicated
 * platform thread, because {@code setns(2)} changes only the calling OS thread. Depends on {@code sys}.
 */
package io.overlaynet.netlink.netns;
