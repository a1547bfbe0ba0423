package io.overlaynet.netlink.rtnl.wire;

import io.overlaynet.netlink.codec.AttrDef;
import io.overlaynet.netlink.codec.AttrSpace;
import io.overlaynet.netlink.codec.MacAddress;

import java.net.InetAddress;
import java.util.List;

import static io.overlaynet.netlink.codec.Codecs.BE16;
import static io.overlaynet.netlink.codec.Codecs.BYTES;
import static io.overlaynet.netlink.codec.Codecs.IP;
import static io.overlaynet.netlink.codec.Codecs.MAC;
import static io.overlaynet.netlink.codec.Codecs.U16;
import static io.overlaynet.netlink.codec.Codecs.U32;
import static io.overlaynet.netlink.codec.Codecs.U8;

/** Neighbour and bridge-FDB attributes (NDA_*, {@code linux/neighbour.h}). */
public final class Nda {
    public static final AttrDef<InetAddress> DST = new AttrDef<>(1, "NDA_DST", IP);
    public static final AttrDef<MacAddress> LLADDR = new AttrDef<>(2, "NDA_LLADDR", MAC);
    public static final AttrDef<byte[]> CACHEINFO = new AttrDef<>(3, "NDA_CACHEINFO", BYTES);
    public static final AttrDef<Integer> PROBES = new AttrDef<>(4, "NDA_PROBES", U32);
    public static final AttrDef<Integer> VLAN = new AttrDef<>(5, "NDA_VLAN", U16);
    /** The remote UDP port of a VXLAN FDB entry, network byte order. */
    public static final AttrDef<Integer> PORT = new AttrDef<>(6, "NDA_PORT", BE16);
    public static final AttrDef<Integer> VNI = new AttrDef<>(7, "NDA_VNI", U32);
    public static final AttrDef<Integer> IFINDEX = new AttrDef<>(8, "NDA_IFINDEX", U32);
    public static final AttrDef<Integer> MASTER = new AttrDef<>(9, "NDA_MASTER", U32);
    public static final AttrDef<Integer> LINK_NETNSID = new AttrDef<>(10, "NDA_LINK_NETNSID", U32);
    public static final AttrDef<Integer> SRC_VNI = new AttrDef<>(11, "NDA_SRC_VNI", U32);
    public static final AttrDef<Integer> PROTOCOL = new AttrDef<>(12, "NDA_PROTOCOL", U8);

    public static final AttrSpace SPACE = new AttrSpace("NDA", List.of(DST, LLADDR, CACHEINFO, PROBES, VLAN,
            PORT, VNI, IFINDEX, MASTER, LINK_NETNSID, SRC_VNI, PROTOCOL));

    private Nda() {
    }
}
