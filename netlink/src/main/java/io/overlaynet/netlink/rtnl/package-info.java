/**
 * rtnetlink operations through a handle bound to one namespace ({@link io.overlaynet.netlink.rtnl.Rtnl}):
 * {@code links()} = ip link, {@code addresses()} = ip address, {@code routes()} = ip route,
 * {@code neighbours()} = ip neigh, {@code fdb()} = bridge fdb, {@code subscribe()} = ip monitor,
 * {@code sysctl()} = sysctl -w net.*. Add, replace and append are one request differing in flags;
 * writes default to permanent entries. Values are checked ({@link io.overlaynet.netlink.rtnl.Check})
 * before anything reaches the kernel. Depends on {@code socket}, {@code codec}, {@code netns}.
 */
package io.overlaynet.netlink.rtnl;
