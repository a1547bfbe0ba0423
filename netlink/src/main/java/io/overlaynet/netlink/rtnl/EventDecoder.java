package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.codec.Attrs;
import io.overlaynet.netlink.codec.NlMsg;
import io.overlaynet.netlink.rtnl.wire.Nda;
import io.overlaynet.netlink.rtnl.wire.NdMsg;
import io.overlaynet.netlink.rtnl.wire.Rtm;

import java.net.InetAddress;
import java.util.Optional;

/**
 * Classifies multicast rtnetlink messages. VXLAN misses are RTM_GETNEIGH sent by the kernel: one with
 * NDA_DST is an L3 miss ("who has this IP?"), one with only NDA_LLADDR is an L2 miss ("where is this
 * MAC?"). RTM_NEWNEIGH/RTM_DELNEIGH are changes, FDB when the family is AF_BRIDGE.
 */
public final class EventDecoder {
    private EventDecoder() {
    }

    public static RtEvent decode(NlMsg m) {
        return io.overlaynet.netlink.codec.CodecException.guard("event", () -> decodeUnchecked(m));
    }

    private static RtEvent decodeUnchecked(NlMsg m) {
        return switch (m.type()) {
            case Rtm.NEWLINK, Rtm.DELLINK -> new RtEvent.LinkChange(m.type() == Rtm.NEWLINK, LinkCodec.decode(m));
            case Rtm.NEWADDR, Rtm.DELADDR ->
                    new RtEvent.AddressChange(m.type() == Rtm.NEWADDR, AddressOps.decode(m));
            case Rtm.GETNEIGH -> miss(m);
            case Rtm.NEWNEIGH, Rtm.DELNEIGH -> neighbourChange(m);
            default -> new RtEvent.Other(m);
        };
    }

    private static RtEvent miss(NlMsg m) {
        NdMsg h = NdMsg.decode(m.payloadBuffer());
        Attrs a = m.attrs(NdMsg.SIZE);
        Optional<InetAddress> dst = a.get(Nda.DST);
        if (dst.isPresent()) {
            return new RtEvent.L3Miss(h.index(), dst.get());
        }
        return a.get(Nda.LLADDR).<RtEvent>map(mac -> new RtEvent.L2Miss(h.index(), mac))
                .orElseGet(() -> new RtEvent.Other(m));
    }

    private static RtEvent neighbourChange(NlMsg m) {
        boolean added = m.type() == Rtm.NEWNEIGH;
        if (NdMsg.decode(m.payloadBuffer()).family() == Rtm.AF_BRIDGE) {
            return new RtEvent.FdbChange(added, FdbOps.decode(m));
        }
        if (!m.attrs(NdMsg.SIZE).has(Nda.DST)) {
            return new RtEvent.Other(m);
        }
        return new RtEvent.NeighbourChange(added, NeighbourOps.decode(m));
    }
}
