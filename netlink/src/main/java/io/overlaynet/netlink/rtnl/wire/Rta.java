package io.overlaynet.netlink.rtnl.wire;

import io.overlaynet.netlink.codec.AttrDef;
import io.overlaynet.netlink.codec.AttrSpace;
import io.overlaynet.netlink.codec.Attrs;

import java.net.InetAddress;
import java.util.List;

import static io.overlaynet.netlink.codec.Codecs.BYTES;
import static io.overlaynet.netlink.codec.Codecs.IP;
import static io.overlaynet.netlink.codec.Codecs.NESTED;
import static io.overlaynet.netlink.codec.Codecs.STRING;
import static io.overlaynet.netlink.codec.Codecs.U32;

/** Route attributes (RTA_*, {@code linux/rtnetlink.h}). */
public final class Rta {
    public static final AttrDef<InetAddress> DST = new AttrDef<>(1, "RTA_DST", IP);
    public static final AttrDef<InetAddress> SRC = new AttrDef<>(2, "RTA_SRC", IP);
    public static final AttrDef<Integer> IIF = new AttrDef<>(3, "RTA_IIF", U32);
    public static final AttrDef<Integer> OIF = new AttrDef<>(4, "RTA_OIF", U32);
    public static final AttrDef<InetAddress> GATEWAY = new AttrDef<>(5, "RTA_GATEWAY", IP);
    public static final AttrDef<Integer> PRIORITY = new AttrDef<>(6, "RTA_PRIORITY", U32);
    public static final AttrDef<InetAddress> PREFSRC = new AttrDef<>(7, "RTA_PREFSRC", IP);
    public static final AttrDef<Attrs> METRICS = new AttrDef<>(8, "RTA_METRICS", NESTED);
    public static final AttrDef<Integer> TABLE = new AttrDef<>(15, "RTA_TABLE", U32);
    public static final AttrDef<byte[]> PREF = new AttrDef<>(20, "RTA_PREF", BYTES);

    public static final AttrSpace SPACE = new AttrSpace("RTA",
            List.of(DST, SRC, IIF, OIF, GATEWAY, PRIORITY, PREFSRC, METRICS, TABLE, PREF));

    private Rta() {
    }

    /** The route metrics nested under RTA_METRICS (RTAX_*). */
    public static final class Metrics {
        /** The MSS TCP advertises on connections that use the route ({@code ip route ... advmss N}). */
        public static final AttrDef<Integer> ADVMSS = new AttrDef<>(8, "RTAX_ADVMSS", U32);
        /** The TCP congestion control of connections that use the route ({@code ip route ... congctl NAME}). */
        public static final AttrDef<String> CC_ALGO = new AttrDef<>(16, "RTAX_CC_ALGO", STRING);

        private Metrics() {
        }
    }
}
