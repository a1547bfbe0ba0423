/**
 * rtnetlink's schema: message types, groups and enum values ({@code Rtm}), the fixed bodies
 * (ifinfomsg, ifaddrmsg, rtmsg, ndmsg) and the attribute tables (IFLA, IFLA_VXLAN, IFLA_BR, IFA, RTA,
 * NDA) as declarative rows. Numbers come from the kernel's uapi headers. Depends on {@code codec}.
 */
package io.overlaynet.netlink.rtnl.wire;
