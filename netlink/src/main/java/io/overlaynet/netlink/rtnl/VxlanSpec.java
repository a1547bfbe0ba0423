package io.overlaynet.netlink.rtnl;

import java.net.InetAddress;
import java.util.Optional;

/**
 * {@code type vxlan id VNI ...}: every option the walkthroughs use. Empty options are not sent, so the
 * kernel's defaults apply (as with iproute2). Read back from a link, the same record describes what the
 * kernel holds.
 *
 * @param vni       VXLAN network identifier, 1..16777215 ({@code id})
 * @param port      destination UDP port ({@code dstport}); the kernel default is 8472, VXLAN's IANA port 4789
 * @param local     source address of encapsulated packets ({@code local})
 * @param group     multicast group ({@code group}) or single unicast remote ({@code remote})
 * @param device    underlay interface index ({@code dev})
 * @param ttl       outer TTL ({@code ttl}); 0 means inherit
 * @param learning  learn remote MACs from received packets ({@code learning | nolearning})
 * @param proxy     answer ARP from the neighbour table ({@code proxy})
 * @param l2miss    notify user space of unknown destination MACs ({@code l2miss})
 * @param l3miss    notify user space of unknown neighbour IPs ({@code l3miss})
 * @param ageing    learned entry lifetime in seconds ({@code ageing})
 * @param udpCsum   compute outer UDP checksums ({@code udpcsum | noudpcsum})
 */
public record VxlanSpec(int vni, Optional<Integer> port, Optional<InetAddress> local, Optional<InetAddress> group,
                        Optional<Integer> device, Optional<Integer> ttl, Optional<Boolean> learning,
                        boolean proxy, boolean l2miss, boolean l3miss, Optional<Integer> ageing,
                        Optional<Boolean> udpCsum) implements LinkKind {
    public VxlanSpec {
        Check.vni(vni);
        port.ifPresent(Check::port);
        ttl.ifPresent(t -> {
            if (t < 0 || t > 255) {
                throw new IllegalArgumentException("VXLAN TTL " + t + " is out of range: use 0..255");
            }
        });
        ageing.ifPresent(a -> {
            if (a < 0) {
                throw new IllegalArgumentException("VXLAN ageing " + a + " s is negative");
            }
        });
    }

    /** {@code id VNI} and nothing else: the kernel's defaults. */
    public static VxlanSpec of(int vni) {
        return new VxlanSpec(vni, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), false, false, false, Optional.empty(), Optional.empty());
    }

    public VxlanSpec port(int p) {
        return new VxlanSpec(vni, Optional.of(p), local, group, device, ttl, learning, proxy, l2miss, l3miss,
                ageing, udpCsum);
    }

    public VxlanSpec local(InetAddress a) {
        return new VxlanSpec(vni, port, Optional.of(a), group, device, ttl, learning, proxy, l2miss, l3miss,
                ageing, udpCsum);
    }

    public VxlanSpec group(InetAddress g) {
        return new VxlanSpec(vni, port, local, Optional.of(g), device, ttl, learning, proxy, l2miss, l3miss,
                ageing, udpCsum);
    }

    public VxlanSpec device(int ifindex) {
        return new VxlanSpec(vni, port, local, group, Optional.of(ifindex), ttl, learning, proxy, l2miss, l3miss,
                ageing, udpCsum);
    }

    public VxlanSpec ttl(int t) {
        return new VxlanSpec(vni, port, local, group, device, Optional.of(t), learning, proxy, l2miss, l3miss,
                ageing, udpCsum);
    }

    public VxlanSpec learning(boolean on) {
        return new VxlanSpec(vni, port, local, group, device, ttl, Optional.of(on), proxy, l2miss, l3miss,
                ageing, udpCsum);
    }

    public VxlanSpec proxy(boolean on) {
        return new VxlanSpec(vni, port, local, group, device, ttl, learning, on, l2miss, l3miss, ageing, udpCsum);
    }

    public VxlanSpec l2miss(boolean on) {
        return new VxlanSpec(vni, port, local, group, device, ttl, learning, proxy, on, l3miss, ageing, udpCsum);
    }

    public VxlanSpec l3miss(boolean on) {
        return new VxlanSpec(vni, port, local, group, device, ttl, learning, proxy, l2miss, on, ageing, udpCsum);
    }

    public VxlanSpec ageing(int seconds) {
        return new VxlanSpec(vni, port, local, group, device, ttl, learning, proxy, l2miss, l3miss,
                Optional.of(seconds), udpCsum);
    }

    public VxlanSpec udpCsum(boolean on) {
        return new VxlanSpec(vni, port, local, group, device, ttl, learning, proxy, l2miss, l3miss, ageing,
                Optional.of(on));
    }

    @Override
    public String kind() {
        return "vxlan";
    }

    /** iproute2-style summary, e.g. {@code id 42 dstport 4789 proxy nolearning l2miss l3miss}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("id ").append(vni);
        port.ifPresent(p -> sb.append(" dstport ").append(p));
        local.ifPresent(a -> sb.append(" local ").append(a.getHostAddress()));
        group.ifPresent(a -> sb.append(a.isMulticastAddress() ? " group " : " remote ").append(a.getHostAddress()));
        device.ifPresent(d -> sb.append(" dev if").append(d));
        ttl.ifPresent(t -> sb.append(" ttl ").append(t));
        if (proxy) {
            sb.append(" proxy");
        }
        learning.ifPresent(l -> sb.append(l ? " learning" : " nolearning"));
        if (l2miss) {
            sb.append(" l2miss");
        }
        if (l3miss) {
            sb.append(" l3miss");
        }
        ageing.ifPresent(a -> sb.append(" ageing ").append(a));
        udpCsum.ifPresent(c -> sb.append(c ? " udpcsum" : " noudpcsum"));
        return sb.toString();
    }
}
