package io.overlaynet.netlink.rtnl.wire;

import io.overlaynet.netlink.codec.AttrDef;
import io.overlaynet.netlink.codec.AttrSpace;

import java.net.InetAddress;
import java.util.List;

import static io.overlaynet.netlink.codec.Codecs.BE16;
import static io.overlaynet.netlink.codec.Codecs.BYTES;
import static io.overlaynet.netlink.codec.Codecs.IP;
import static io.overlaynet.netlink.codec.Codecs.U32;
import static io.overlaynet.netlink.codec.Codecs.U8;

/** VXLAN link data (IFLA_VXLAN_*), carried in IFLA_INFO_DATA of kind "vxlan". */
public final class IflaVxlan {
    public static final AttrDef<Integer> ID = new AttrDef<>(1, "IFLA_VXLAN_ID", U32);
    /** The multicast group, or for unicast VXLAN the single remote ("remote" in iproute2). */
    public static final AttrDef<InetAddress> GROUP = new AttrDef<>(2, "IFLA_VXLAN_GROUP", IP);
    public static final AttrDef<Integer> LINK = new AttrDef<>(3, "IFLA_VXLAN_LINK", U32);
    public static final AttrDef<InetAddress> LOCAL = new AttrDef<>(4, "IFLA_VXLAN_LOCAL", IP);
    public static final AttrDef<Integer> TTL = new AttrDef<>(5, "IFLA_VXLAN_TTL", U8);
    public static final AttrDef<Integer> TOS = new AttrDef<>(6, "IFLA_VXLAN_TOS", U8);
    public static final AttrDef<Integer> LEARNING = new AttrDef<>(7, "IFLA_VXLAN_LEARNING", U8);
    public static final AttrDef<Integer> AGEING = new AttrDef<>(8, "IFLA_VXLAN_AGEING", U32);
    public static final AttrDef<Integer> LIMIT = new AttrDef<>(9, "IFLA_VXLAN_LIMIT", U32);
    public static final AttrDef<byte[]> PORT_RANGE = new AttrDef<>(10, "IFLA_VXLAN_PORT_RANGE", BYTES);
    public static final AttrDef<Integer> PROXY = new AttrDef<>(11, "IFLA_VXLAN_PROXY", U8);
    public static final AttrDef<Integer> RSC = new AttrDef<>(12, "IFLA_VXLAN_RSC", U8);
    public static final AttrDef<Integer> L2MISS = new AttrDef<>(13, "IFLA_VXLAN_L2MISS", U8);
    public static final AttrDef<Integer> L3MISS = new AttrDef<>(14, "IFLA_VXLAN_L3MISS", U8);
    public static final AttrDef<Integer> PORT = new AttrDef<>(15, "IFLA_VXLAN_PORT", BE16);
    public static final AttrDef<InetAddress> GROUP6 = new AttrDef<>(16, "IFLA_VXLAN_GROUP6", IP);
    public static final AttrDef<InetAddress> LOCAL6 = new AttrDef<>(17, "IFLA_VXLAN_LOCAL6", IP);
    public static final AttrDef<Integer> UDP_CSUM = new AttrDef<>(18, "IFLA_VXLAN_UDP_CSUM", U8);
    public static final AttrDef<Integer> UDP_ZERO_CSUM6_TX = new AttrDef<>(19, "IFLA_VXLAN_UDP_ZERO_CSUM6_TX", U8);
    public static final AttrDef<Integer> UDP_ZERO_CSUM6_RX = new AttrDef<>(20, "IFLA_VXLAN_UDP_ZERO_CSUM6_RX", U8);
    public static final AttrDef<Integer> TTL_INHERIT = new AttrDef<>(28, "IFLA_VXLAN_TTL_INHERIT", U8);
    public static final AttrDef<Integer> DF = new AttrDef<>(29, "IFLA_VXLAN_DF", U8);

    public static final AttrSpace SPACE = new AttrSpace("IFLA_VXLAN", List.of(ID, GROUP, LINK, LOCAL, TTL, TOS,
            LEARNING, AGEING, LIMIT, PORT_RANGE, PROXY, RSC, L2MISS, L3MISS, PORT, GROUP6, LOCAL6, UDP_CSUM,
            UDP_ZERO_CSUM6_TX, UDP_ZERO_CSUM6_RX, TTL_INHERIT, DF));

    private IflaVxlan() {
    }
}
