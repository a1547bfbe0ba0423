package io.overlaynet.netlink.rtnl.wire;

/** rtnetlink message types, multicast groups and enum values ({@code linux/rtnetlink.h}, {@code neighbour.h}). */
public final class Rtm {
    public static final int NEWLINK = 16;
    public static final int DELLINK = 17;
    public static final int GETLINK = 18;
    public static final int SETLINK = 19;
    public static final int NEWADDR = 20;
    public static final int DELADDR = 21;
    public static final int GETADDR = 22;
    public static final int NEWROUTE = 24;
    public static final int DELROUTE = 25;
    public static final int GETROUTE = 26;
    public static final int NEWNEIGH = 28;
    public static final int DELNEIGH = 29;
    public static final int GETNEIGH = 30;

    // Multicast groups (enum rtnetlink_groups).
    public static final int GROUP_LINK = 1;
    public static final int GROUP_NEIGH = 3;
    public static final int GROUP_IPV4_IFADDR = 5;
    public static final int GROUP_IPV4_ROUTE = 7;
    public static final int GROUP_IPV6_IFADDR = 9;

    // Address families.
    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_BRIDGE = 7;
    public static final int AF_INET6 = 10;

    // Interface flags (net/if.h).
    public static final int IFF_UP = 0x1;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_LOWER_UP = 0x10000;

    // Neighbour states (NUD_*).
    public static final int NUD_INCOMPLETE = 0x01;
    public static final int NUD_REACHABLE = 0x02;
    public static final int NUD_STALE = 0x04;
    public static final int NUD_DELAY = 0x08;
    public static final int NUD_PROBE = 0x10;
    public static final int NUD_FAILED = 0x20;
    public static final int NUD_NOARP = 0x40;
    public static final int NUD_PERMANENT = 0x80;

    // Neighbour flags (NTF_*).
    public static final int NTF_USE = 0x01;
    public static final int NTF_SELF = 0x02;
    public static final int NTF_MASTER = 0x04;
    public static final int NTF_PROXY = 0x08;
    public static final int NTF_EXT_LEARNED = 0x10;
    public static final int NTF_ROUTER = 0x80;

    // Routes.
    public static final int RT_TABLE_MAIN = 254;
    public static final int RTPROT_BOOT = 3;
    public static final int RTPROT_KERNEL = 2;
    public static final int RTPROT_STATIC = 4;
    public static final int RT_SCOPE_UNIVERSE = 0;
    public static final int RT_SCOPE_LINK = 253;
    public static final int RT_SCOPE_HOST = 254;
    public static final int RTN_UNICAST = 1;
    public static final int RTN_LOCAL = 2;
    public static final int RTNH_F_ONLINK = 4;

    private Rtm() {
    }

    /** iproute2's name of a neighbour state set, e.g. {@code PERMANENT} or {@code REACHABLE}. */
    public static String nudName(int state) {
        if (state == 0) {
            return "NONE";
        }
        String[] names = {"INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "NOARP", "PERMANENT"};
        StringBuilder sb = new StringBuilder();
        for (int bit = 0; bit < names.length; bit++) {
            if ((state & (1 << bit)) != 0) {
                sb.append(sb.isEmpty() ? "" : ",").append(names[bit]);
            }
        }
        return sb.toString();
    }
}
