package io.overlaynet.netlink.rtnl.wire;

import io.overlaynet.netlink.codec.AttrDef;
import io.overlaynet.netlink.codec.AttrSpace;

import java.util.List;

import static io.overlaynet.netlink.codec.Codecs.U32;
import static io.overlaynet.netlink.codec.Codecs.U8;

/** Bridge link data (IFLA_BR_*), carried in IFLA_INFO_DATA of kind "bridge". */
public final class IflaBridge {
    public static final AttrDef<Integer> FORWARD_DELAY = new AttrDef<>(1, "IFLA_BR_FORWARD_DELAY", U32);
    public static final AttrDef<Integer> HELLO_TIME = new AttrDef<>(2, "IFLA_BR_HELLO_TIME", U32);
    public static final AttrDef<Integer> MAX_AGE = new AttrDef<>(3, "IFLA_BR_MAX_AGE", U32);
    /** Ageing time in centiseconds (USER_HZ). */
    public static final AttrDef<Integer> AGEING_TIME = new AttrDef<>(4, "IFLA_BR_AGEING_TIME", U32);
    public static final AttrDef<Integer> STP_STATE = new AttrDef<>(5, "IFLA_BR_STP_STATE", U32);
    public static final AttrDef<Integer> VLAN_FILTERING = new AttrDef<>(7, "IFLA_BR_VLAN_FILTERING", U8);

    public static final AttrSpace SPACE = new AttrSpace("IFLA_BR",
            List.of(FORWARD_DELAY, HELLO_TIME, MAX_AGE, AGEING_TIME, STP_STATE, VLAN_FILTERING));

    private IflaBridge() {
    }
}
