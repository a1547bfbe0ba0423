package io.overlaynet.cli;

import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Networks;
import io.overlaynet.dataplane.Overlay;
import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.netlink.rtnl.FdbEntry;
import io.overlaynet.netlink.rtnl.Neighbour;
import io.overlaynet.netlink.rtnl.wire.Rtm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code overlaynet show arp|fdb}: the kernel's tables on each network's VXLAN device, read live. */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Show ARP or FDB entries of the VXLAN devices.")
final class ShowCommand implements Callable<Integer> {
    @Mixin HostOptions host;
    @Parameters(index = "0", paramLabel = "TABLE", description = "arp or fdb") String table;
    @Mixin NetworkFilter filter;

    @Override
    public Integer call() {
        if (!table.equals("arp") && !table.equals("fdb")) {
            throw new IllegalArgumentException("unknown table '" + table + "': use arp or fdb");
        }
        try (Host h = host.open()) {
            List<NetworkRecord> nets = filter.network(h).map(List::of).orElseGet(new Networks(h)::list);
            List<Map<String, Object>> rows = new ArrayList<>();
            for (NetworkRecord n : nets) {
                try (Overlay o = Overlay.open(h, n)) {
                    int vx = o.vxlanIndex();
                    if (table.equals("arp")) {
                        o.rtnl().neighbours().list(vx).stream().filter(x -> x.ip() instanceof Inet4Address)
                                .forEach(x -> rows.add(arp(n, o, x)));
                    } else {
                        o.rtnl().fdb().list(vx).forEach(x -> rows.add(fdb(n, o, x)));
                    }
                }
            }
            if (host.json()) {
                Out.json(rows);
            } else {
                rows.forEach(r -> System.out.println(text(r)));
            }
        }
        return 0;
    }

    private static Map<String, Object> arp(NetworkRecord n, Overlay o, Neighbour x) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("network", n.name());
        m.put("dst", x.ip().getHostAddress());
        m.put("dev", o.vxlan());
        x.mac().ifPresent(mac -> m.put("lladdr", mac.toString()));
        m.put("state", Rtm.nudName(x.state()));
        return m;
    }

    private static Map<String, Object> fdb(NetworkRecord n, Overlay o, FdbEntry x) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("network", n.name());
        m.put("mac", x.mac().toString());
        m.put("dev", o.vxlan());
        x.dst().ifPresent(d -> m.put("dst", d.getHostAddress()));
        x.vni().ifPresent(v -> m.put("vni", v));
        m.put("state", x.isPermanent() ? "permanent" : (x.state() & Rtm.NUD_REACHABLE) != 0 ? "learned" : Rtm.nudName(x.state()).toLowerCase());
        m.put("self", x.isSelf());
        if (x.master().isPresent() || (x.flags() & Rtm.NTF_MASTER) != 0) {
            m.put("master", o.bridge());
        }
        return m;
    }

    /** iproute2-like line: "12.12.12.3 dev vxlan1 lladdr 02:42:... PERMANENT  [demo]". */
    private static String text(Map<String, Object> r) {
        StringBuilder sb = new StringBuilder();
        if (r.containsKey("dst") && r.containsKey("lladdr")) {
            sb.append(r.get("dst")).append(" dev ").append(r.get("dev")).append(" lladdr ").append(r.get("lladdr"))
                    .append(' ').append(r.get("state"));
        } else if (r.containsKey("mac")) {
            sb.append(r.get("mac")).append(" dev ").append(r.get("dev"));
            if (r.containsKey("master")) {
                sb.append(" master ").append(r.get("master"));
            }
            if (r.containsKey("dst")) {
                sb.append(" dst ").append(r.get("dst"));
            }
            if (Boolean.TRUE.equals(r.get("self"))) {
                sb.append(" self");
            }
            sb.append(' ').append(r.get("state"));
        } else {
            sb.append(r.get("dst")).append(" dev ").append(r.get("dev")).append(' ').append(r.get("state"));
        }
        return sb.append("    [").append(r.get("network")).append(']').toString();
    }
}
