package io.overlaynet.netlink.rtnl.wire;

import io.overlaynet.netlink.codec.AttrDef;
import io.overlaynet.netlink.codec.AttrSpace;

import java.net.InetAddress;
import java.util.List;

import static io.overlaynet.netlink.codec.Codecs.BYTES;
import static io.overlaynet.netlink.codec.Codecs.IP;
import static io.overlaynet.netlink.codec.Codecs.STRING;
import static io.overlaynet.netlink.codec.Codecs.U32;

/** Address attributes (IFA_*, {@code linux/if_addr.h}). */
public final class Ifa {
    public static final AttrDef<InetAddress> ADDRESS = new AttrDef<>(1, "IFA_ADDRESS", IP);
    public static final AttrDef<InetAddress> LOCAL = new AttrDef<>(2, "IFA_LOCAL", IP);
    public static final AttrDef<String> LABEL = new AttrDef<>(3, "IFA_LABEL", STRING);
    public static final AttrDef<InetAddress> BROADCAST = new AttrDef<>(4, "IFA_BROADCAST", IP);
    public static final AttrDef<byte[]> CACHEINFO = new AttrDef<>(6, "IFA_CACHEINFO", BYTES);
    public static final AttrDef<Integer> FLAGS = new AttrDef<>(8, "IFA_FLAGS", U32);

    public static final AttrSpace SPACE =
            new AttrSpace("IFA", List.of(ADDRESS, LOCAL, LABEL, BROADCAST, CACHEINFO, FLAGS));

    public static final int IFA_F_NODAD = 0x02;
    public static final int IFA_F_PERMANENT = 0x80;

    private Ifa() {
    }
}
