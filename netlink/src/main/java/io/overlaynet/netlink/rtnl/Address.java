package io.overlaynet.netlink.rtnl;

import java.util.Optional;

/** An interface address as {@code ip address show} lists it. */
public record Address(int index, IpPrefix prefix, int scope, int flags, Optional<String> label) {
}
