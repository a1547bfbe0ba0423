/**
 * Link-layer sockets (AF_PACKET) and the frames overlaynet sends itself (ARP). Depends on sys and netns.
 */
package io.overlaynet.netlink.packet;
