package io.overlaynet.dataplane;

import io.overlaynet.netlink.rtnl.Ip;

import java.net.InetAddress;

/**
 * How a network learns where remote MACs live and how broadcast/unknown traffic leaves the host.
 */
public sealed interface Mode permits Mode.Static, Mode.Learning, Mode.Multicast, Mode.Flood, Mode.Reactive, Mode.Proactive {

    /** The walkthroughs' manual wiring: a permanent ARP and FDB entry per remote endpoint; nolearning. */
    record Static() implements Mode {
        public String toString() {
            return "static";
        }
    }

    /**
     * Kernel learning, with one flood entry per remote VTEP so the first ARP gets out. Learned FDB
     * entries age out (300 s): a silent container stops being reachable until it speaks again.
     */
    record Learning() implements Mode {
        public String toString() {
            return "learning";
        }
    }

    /** The walkthroughs' multicast VXLAN: BUM traffic to a group on the underlay, VTEPs learn from replies. */
    record Multicast(InetAddress group) implements Mode {
        public Multicast {
            if (!group.isMulticastAddress()) {
                throw new IllegalArgumentException("multicast group " + group.getHostAddress()
                        + " is not a multicast address: use 224.0.0.0/4, e.g. 239.1.1.1");
            }
        }

        public String toString() {
            return "multicast:" + group.getHostAddress();
        }
    }

    /** Head-end replication: one all-zeros FDB entry per remote VTEP, every frame flooded; nolearning. */
    record Flood() implements Mode {
        public String toString() {
            return "flood";
        }
    }

    /**
     * The walkthroughs' dynamic variant: nolearning, proxy, l2miss and l3miss; an agent answers the kernel's
     * misses from the store. Containers get a short ARP retransmit timer so the first packet does not
     * wait a second for the retry.
     */
    record Reactive() implements Mode {
        public String toString() {
            return "reactive";
        }
    }

    /**
     * An agent programs every remote endpoint ahead of time from the store (as flannel does). The device
     * is set up as for static wiring: nolearning, proxy.
     */
    record Proactive() implements Mode {
        public String toString() {
            return "proactive";
        }
    }

    /** Whether an agent runs the network from a store (proactive, reactive); the others are wired by hand. */
    default boolean runByAgent() {
        return this instanceof Proactive || this instanceof Reactive;
    }

    /** Whether the VXLAN device answers ARP from its neighbour table ({@code proxy}). */
    default boolean proxiesArp() {
        return this instanceof Static || runByAgent();
    }

    /** Whether the VXLAN device learns source MACs. */
    default boolean learns() {
        return this instanceof Learning || this instanceof Multicast;
    }

    /** Whether BUM traffic goes to a flood list of VTEPs (all-zeros FDB entries). */
    default boolean floodsToVteps() {
        return this instanceof Learning || this instanceof Flood;
    }

    static Mode parse(String text) {
        String t = text.trim().toLowerCase();
        return switch (t) {
            case "static" -> new Static();
            case "learning" -> new Learning();
            case "flood" -> new Flood();
            case "reactive" -> new Reactive();
            case "proactive" -> new Proactive();
            default -> {
                if (t.startsWith("multicast:")) {
                    yield new Multicast(Ip.parse(t.substring("multicast:".length())));
                }
                if (t.equals("multicast")) {
                    yield new Multicast(Ip.parse("239.1.1.1"));
                }
                throw new IllegalArgumentException("unknown mode '" + text
                        + "': use static, learning, multicast:<group>, flood, proactive or reactive");
            }
        };
    }
}
