/**
 * A netlink socket in one namespace and the request protocol over it: request + ACK, multi-part
 * dumps, and pipelined batches where up to a window of requests travel in one datagram and their
 * ACKs are matched back by sequence number. Errors carry the kernel's extended-ACK text. Depends on
 * {@code sys} and {@code codec}.
 *
 * <p>Design note: the kernel processes every message of one datagram inside the sending system call,
 * so a batch's ACKs are all queued when {@code send} returns; the window is sized so they fit the
 * (forced, 8 MiB) receive buffer.
 */
package io.overlaynet.netlink.socket;
