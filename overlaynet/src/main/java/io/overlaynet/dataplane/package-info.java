/**
 * The overlay data plane on one host: networks (overlay namespace with bridge + VXLAN device, or an
 * existing bridge), endpoints (container namespaces on veth pairs) and peers (ARP + FDB entries,
 * flood lists). Every composite operation undoes its earlier steps on failure; records in the host's
 * state directory say what overlaynet owns. Depends on the netlink library and {@code state}.
 */
package io.overlaynet.dataplane;
