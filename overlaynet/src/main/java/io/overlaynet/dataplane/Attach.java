package io.overlaynet.dataplane;

import java.util.Locale;

/**
 * How a network's containers are joined to its VXLAN device on a host. The wire is the same either way:
 * hosts attaching one way and hosts attaching the other share a network.
 */
public enum Attach {
    /**
     * A veth pair per container, its host end a port of the overlay namespace's bridge br0, which holds the
     * gateway; the walkthroughs' layout, and the only one for a network on an existing bridge.
     */
    BRIDGE,
    /**
     * A macvlan child of vxlan1 (bridge mode) per container, made directly in the container's namespace: no
     * veth, no bridge. The gateway address sits on a child of its own, gw0, in the overlay namespace.
     */
    MACVLAN;

    /**
     * What a new network on a host uses unless told: macvlan, which carries more of the underlay than the
     * bridge layout ({@code bench throughput}, docs/dataplane.md). Networks on an existing host bridge
     * ({@code --bridge}) attach by bridge.
     */
    public static final Attach DEFAULT = MACVLAN;

    public static Attach parse(String text) {
        if (text == null || text.isEmpty()) {
            return BRIDGE;
        }
        try {
            return valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown attachment '" + text + "': use bridge or macvlan");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
