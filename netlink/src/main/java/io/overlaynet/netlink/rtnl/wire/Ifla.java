package io.overlaynet.netlink.rtnl.wire;

import io.overlaynet.netlink.codec.AttrDef;
import io.overlaynet.netlink.codec.AttrSpace;
import io.overlaynet.netlink.codec.Attrs;
import io.overlaynet.netlink.codec.MacAddress;

import java.util.List;

import static io.overlaynet.netlink.codec.Codecs.BYTES;
import static io.overlaynet.netlink.codec.Codecs.MAC;
import static io.overlaynet.netlink.codec.Codecs.NESTED;
import static io.overlaynet.netlink.codec.Codecs.STRING;
import static io.overlaynet.netlink.codec.Codecs.U32;
import static io.overlaynet.netlink.codec.Codecs.U8;

/** Link attributes (IFLA_*, {@code linux/if_link.h}) and the nests under IFLA_LINKINFO. */
public final class Ifla {
    public static final AttrDef<MacAddress> ADDRESS = new AttrDef<>(1, "IFLA_ADDRESS", MAC);
    public static final AttrDef<MacAddress> BROADCAST = new AttrDef<>(2, "IFLA_BROADCAST", MAC);
    public static final AttrDef<String> IFNAME = new AttrDef<>(3, "IFLA_IFNAME", STRING);
    public static final AttrDef<Integer> MTU = new AttrDef<>(4, "IFLA_MTU", U32);
    public static final AttrDef<Integer> LINK = new AttrDef<>(5, "IFLA_LINK", U32);
    public static final AttrDef<String> QDISC = new AttrDef<>(6, "IFLA_QDISC", STRING);
    public static final AttrDef<byte[]> STATS = new AttrDef<>(7, "IFLA_STATS", BYTES);
    public static final AttrDef<Integer> MASTER = new AttrDef<>(10, "IFLA_MASTER", U32);
    public static final AttrDef<Integer> TXQLEN = new AttrDef<>(13, "IFLA_TXQLEN", U32);
    public static final AttrDef<Integer> OPERSTATE = new AttrDef<>(16, "IFLA_OPERSTATE", U8);
    public static final AttrDef<Integer> LINKMODE = new AttrDef<>(17, "IFLA_LINKMODE", U8);
    public static final AttrDef<Attrs> LINKINFO = new AttrDef<>(18, "IFLA_LINKINFO", NESTED);
    public static final AttrDef<Integer> NET_NS_PID = new AttrDef<>(19, "IFLA_NET_NS_PID", U32);
    public static final AttrDef<String> IFALIAS = new AttrDef<>(20, "IFLA_IFALIAS", STRING);
    /** Per address family settings, nested by family number (AF_INET6 = 10 holds {@link Inet6}). */
    public static final AttrDef<Attrs> AF_SPEC = new AttrDef<>(26, "IFLA_AF_SPEC", NESTED);
    public static final AttrDef<Integer> GROUP = new AttrDef<>(27, "IFLA_GROUP", U32);
    public static final AttrDef<Integer> NET_NS_FD = new AttrDef<>(28, "IFLA_NET_NS_FD", U32);
    public static final AttrDef<Integer> EXT_MASK = new AttrDef<>(29, "IFLA_EXT_MASK", U32);
    public static final AttrDef<Integer> PROMISCUITY = new AttrDef<>(30, "IFLA_PROMISCUITY", U32);
    public static final AttrDef<Integer> NUM_TX_QUEUES = new AttrDef<>(31, "IFLA_NUM_TX_QUEUES", U32);
    public static final AttrDef<Integer> NUM_RX_QUEUES = new AttrDef<>(32, "IFLA_NUM_RX_QUEUES", U32);
    public static final AttrDef<Integer> CARRIER = new AttrDef<>(33, "IFLA_CARRIER", U8);
    public static final AttrDef<Integer> LINK_NETNSID = new AttrDef<>(37, "IFLA_LINK_NETNSID", U32);
    public static final AttrDef<Integer> TARGET_NETNSID = new AttrDef<>(46, "IFLA_TARGET_NETNSID", U32);
    public static final AttrDef<Integer> MIN_MTU = new AttrDef<>(50, "IFLA_MIN_MTU", U32);
    public static final AttrDef<Integer> MAX_MTU = new AttrDef<>(51, "IFLA_MAX_MTU", U32);

    public static final AttrSpace SPACE = new AttrSpace("IFLA", List.of(ADDRESS, BROADCAST, IFNAME, MTU, LINK,
            QDISC, STATS, MASTER, TXQLEN, OPERSTATE, LINKMODE, LINKINFO, NET_NS_PID, IFALIAS, GROUP, NET_NS_FD,
            EXT_MASK, PROMISCUITY, NUM_TX_QUEUES, NUM_RX_QUEUES, CARRIER, LINK_NETNSID, TARGET_NETNSID, MIN_MTU, MAX_MTU));

    /** IFLA_INET6_*: inside {@link #AF_SPEC}'s AF_INET6 nest. */
    public static final class Inet6 {
        public static final int FAMILY = 10;
        public static final AttrDef<Integer> ADDR_GEN_MODE = new AttrDef<>(8, "IFLA_INET6_ADDR_GEN_MODE", U8);
        /** IN6_ADDR_GEN_MODE_NONE: the link makes no IPv6 addresses of its own. */
        public static final int ADDR_GEN_MODE_NONE = 1;

        private Inet6() {
        }
    }

    /** IFLA_INFO_*: the nest that names a link's kind and carries its kind-specific data. */
    public static final class Info {
        public static final AttrDef<String> KIND = new AttrDef<>(1, "IFLA_INFO_KIND", STRING);
        public static final AttrDef<Attrs> DATA = new AttrDef<>(2, "IFLA_INFO_DATA", NESTED);
        public static final AttrDef<String> SLAVE_KIND = new AttrDef<>(4, "IFLA_INFO_SLAVE_KIND", STRING);
        public static final AttrDef<Attrs> SLAVE_DATA = new AttrDef<>(5, "IFLA_INFO_SLAVE_DATA", NESTED);
        public static final AttrSpace SPACE =
                new AttrSpace("IFLA_INFO", List.of(KIND, DATA, SLAVE_KIND, SLAVE_DATA));

        private Info() {
        }
    }

    /** VETH_INFO_*: a veth's peer, itself an ifinfomsg followed by link attributes. */
    public static final class Veth {
        public static final int PEER = 1;

        private Veth() {
        }
    }

    /** IFLA_MACVLAN_*: inside IFLA_INFO_DATA of a macvlan link. */
    public static final class Macvlan {
        public static final AttrDef<Integer> MODE = new AttrDef<>(1, "IFLA_MACVLAN_MODE", U32);

        private Macvlan() {
        }
    }

    private Ifla() {
    }
}
