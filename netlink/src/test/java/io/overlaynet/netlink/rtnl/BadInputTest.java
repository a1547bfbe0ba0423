package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.NetlinkException;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.netlink.testing.TempNamespaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input is refused before the kernel, or the kernel's refusal names object, errno and its own text. */
class BadInputTest {
    @RegisterExtension
    final TempNamespaces namespaces = new TempNamespaces();

    private static void refused(String expected, Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
        assertEquals(1, ex.getMessage().lines().count(), "one-line message");
    }

    @Test
    void valuesCheckedBeforeTheKernel() {
        refused("is 16 bytes; Linux allows at most 15", () -> LinkSpec.of("a-very-long-name", LinkKind.Bridge.DEFAULT));
        refused("not allowed", () -> LinkSpec.of("a/b", LinkKind.Bridge.DEFAULT));
        refused("not allowed", () -> LinkSpec.of("a b", LinkKind.Bridge.DEFAULT));
        refused("VNI 0 is out of range: use 1..16777215", () -> VxlanSpec.of(0));
        refused("VNI 16777216 is out of range", () -> VxlanSpec.of(16_777_216));
        refused("MTU 40 is out of range", () -> LinkSpec.of("br0", LinkKind.Bridge.DEFAULT).mtu(40));
        refused("MTU 70000 is out of range", () -> LinkSpec.of("br0", LinkKind.Bridge.DEFAULT).mtu(70_000));
        refused("malformed MAC address '02:42:zz:0c:0c:02'", () -> MacAddress.parse("02:42:zz:0c:0c:02"));
        refused("malformed IP address '12.12.12.300'", () -> Ip.parse("12.12.12.300"));
        refused("malformed IP address 'example.com'", () -> Ip.parse("example.com"));
        refused("prefix length /33 is out of range", () -> IpPrefix.parse("12.12.12.0/33"));
        refused("malformed prefix", () -> IpPrefix.parse("12.12.12.0/x"));
    }

    @Test
    void kernelRefusalsAreTypedAndCarryTheKernelsText() {
        NetNs ns = namespaces.create("k");
        Rtnl rt = namespaces.rtnl(ns);
        rt.links().add(LinkSpec.of("br0", LinkKind.Bridge.DEFAULT));

        NetlinkException.Exists exists = assertThrows(NetlinkException.Exists.class,
                () -> rt.links().add(LinkSpec.of("br0", LinkKind.Bridge.DEFAULT)));
        assertTrue(exists.getMessage().startsWith("link add br0 type bridge in netns "), exists.getMessage());
        assertTrue(exists.getMessage().contains("EEXIST (File exists)"), exists.getMessage());
        assertEquals("EEXIST", exists.errnoName());

        NetlinkException.NotFound missing = assertThrows(NetlinkException.NotFound.class,
                () -> rt.links().setUp("nosuch0"));
        assertTrue(missing.getMessage().contains("nosuch0") && missing.getMessage().contains("ENODEV"),
                missing.getMessage());

        // The kernel's own extended-ACK text: a multicast group needs an underlay device.
        NetlinkException.InvalidArgument mtu = assertThrows(NetlinkException.InvalidArgument.class,
                () -> rt.links().add(LinkSpec.of("vxlan9", VxlanSpec.of(9).group(Ip.parse("239.1.1.1")))));
        assertEquals("EINVAL", mtu.errnoName());
        assertTrue(rt.links().find("vxlan9").isEmpty());
        rt.links().add(LinkSpec.of("vxlan1", VxlanSpec.of(42).port(4789)));
        assertTrue(mtu.kernelMessage().isPresent(), mtu.getMessage());
        assertTrue(mtu.getMessage().contains("kernel says: " + mtu.kernelMessage().get()), mtu.getMessage());

        NetlinkException same = assertThrows(NetlinkException.class,
                () -> rt.links().add(LinkSpec.of("vxlan2", VxlanSpec.of(42).port(4789))));
        assertTrue(same.kernelMessage().orElse("").contains("VNI"), same.getMessage());
        assertEquals(0, Sh.ipJson(ns.name().orElseThrow(), "link", "show", "dev", "vxlan1").get(0)
                .path("master").size());
    }

    @Test
    void failedAliasOnCreateUndoesTheCreate() {
        NetNs ns = namespaces.create("al");
        Rtnl rt = namespaces.rtnl(ns);
        String tooLong = "x".repeat(300);
        assertThrows(NetlinkException.class,
                () -> rt.links().add(LinkSpec.of("br9", LinkKind.Bridge.DEFAULT).alias(tooLong)));
        assertTrue(rt.links().find("br9").isEmpty(), "the bridge must be removed when its alias fails");
    }

    @Test
    void sysctlsInsideTheNamespace() {
        NetNs ns = namespaces.create("sys");
        Rtnl rt = namespaces.rtnl(ns);
        rt.links().add(LinkSpec.of("br0", LinkKind.Bridge.DEFAULT));
        rt.sysctl().ipForward(true);
        rt.sysctl().arpRetransmitMillis("br0", 100);
        String n = ns.name().orElseThrow();
        assertEquals("1", Sh.run("ip", "netns", "exec", n, "cat", "/proc/sys/net/ipv4/ip_forward").ok().out().trim());
        assertEquals("100", Sh.run("ip", "netns", "exec", n, "cat",
                "/proc/sys/net/ipv4/neigh/br0/retrans_time_ms").ok().out().trim());
        assertEquals("1", rt.sysctl().get("net.ipv4.ip_forward"));
        refused("not a net.* key", () -> rt.sysctl().get("kernel.hostname"));
        refused("gc_thresh values must grow", () -> rt.sysctl().neighbourTableLimits(10, 5, 20));
    }
}
