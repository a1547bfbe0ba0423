package io.overlaynet.dataplane;

import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.netlink.rtnl.Sysctl;

import java.util.List;

/**
 * With br_netfilter loaded, every frame a bridge forwards also runs the iptables, ip6tables and
 * arptables hooks of its namespace (and a fresh namespace starts with them on). An overlay namespace
 * filters nothing, so overlaynet turns them off there: measured by {@code bench throughput}. The
 * settings are optional: a kernel without br_netfilter has nothing to turn off.
 */
public final class BridgeNetfilter {
    private static final List<String> KEYS = List.of("net.bridge.bridge-nf-call-iptables",
            "net.bridge.bridge-nf-call-ip6tables", "net.bridge.bridge-nf-call-arptables");

    private BridgeNetfilter() {
    }

    /** The sysctls that turn the hooks on or off. */
    public static List<Sysctl.Setting> settings(boolean on) {
        return KEYS.stream().map(k -> Sysctl.Setting.ifPresent(k, on ? "1" : "0")).toList();
    }

    /** Turns the hooks off in the handle's namespace. */
    public static void disable(Rtnl rt) {
        set(rt, false);
    }

    public static void set(Rtnl rt, boolean on) {
        rt.sysctl().apply(settings(on));
    }
}
