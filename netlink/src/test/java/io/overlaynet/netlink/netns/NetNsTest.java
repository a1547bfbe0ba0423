package io.overlaynet.netlink.netns;

import io.overlaynet.netlink.rtnl.LinkKind;
import io.overlaynet.netlink.rtnl.LinkSpec;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.netlink.testing.TempNamespaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Named namespaces the iproute2 way, opening by name, path and pid, and running tasks inside. */
class NetNsTest {
    @RegisterExtension
    final TempNamespaces namespaces = new TempNamespaces();

    @Test
    void oursAreVisibleToIpAndIpsAreUsableByUs() {
        NetNs ours = namespaces.create("ours");
        String oursName = ours.name().orElseThrow();
        assertTrue(Sh.run("ip", "netns", "list").ok().out().contains(oursName));
        Sh.ip(oursName, "link", "add", "brx", "type", "bridge");
        assertTrue(namespaces.rtnl(ours).links().find("brx").isPresent());

        String theirs = namespaces.track("theirs");
        Sh.run("ip", "netns", "add", theirs).ok();
        try (NetNs t = NetNs.named(theirs)) {
            namespaces.rtnl(t).links().add(LinkSpec.of("bry", LinkKind.Bridge.DEFAULT));
        }
        assertEquals(1, Sh.ipJson(theirs, "link", "show", "dev", "bry").size());
        assertTrue(NetNamespaces.list().contains(theirs));

        NetNamespaces.delete(oursName);
        assertFalse(Sh.run("ip", "netns", "list").ok().out().contains(oursName));
        assertFalse(NetNamespaces.deleteIfExists(oursName));
    }

    /**
     * Names after the first are hard links of one open file; each still carries its own namespace, and
     * removing names with iproute2 in any order (even all of them) never stops the next create.
     */
    @Test
    void namesSharingOneFileStayDistinctWhateverIsRemoved() throws Exception {
        NetNs a = namespaces.create("la");
        NetNs b = namespaces.create("lb");
        String an = a.name().orElseThrow();
        String bn = b.name().orElseThrow();
        assertNotEquals(inode(an), inode(bn), "each name is bound to its own namespace");
        Sh.ip(an, "link", "add", "only-a", "type", "bridge");
        assertNotEquals(0, Sh.run("ip", "-n", bn, "link", "show", "only-a").exit(),
                "a link made in one is not seen in the other");
        a.close();
        b.close();
        Sh.run("ip", "netns", "del", an).ok();
        NetNs c = namespaces.create("lc");
        Sh.run("ip", "netns", "del", bn).ok();
        Sh.run("ip", "netns", "del", c.name().orElseThrow()).ok();
        c.close();
        // Every name made so far is gone: the next create must make a file of its own.
        NetNs d = namespaces.create("ld");
        String dn = d.name().orElseThrow();
        assertTrue(Sh.run("ip", "netns", "list").ok().out().contains(dn));
        Sh.ip(dn, "link", "add", "in-d", "type", "bridge");
        assertTrue(namespaces.rtnl(d).links().find("in-d").isPresent());
        NamespaceException taken = assertThrows(NamespaceException.class, () -> NetNamespaces.create(dn));
        assertTrue(taken.getMessage().contains("already exists"), taken.getMessage());
    }

    private static Object inode(String name) throws Exception {
        return Files.getAttribute(NetNamespaces.RUN_DIR.resolve(name), "unix:ino");
    }

    @Test
    void runInsideSeesThatNamespaceOnlyAndTheCallerStaysHome() throws Exception {
        NetNs ns = namespaces.create("run");
        long home = NetNs.current().inode();
        long inside = ns.call(() -> {
            try (NetNs me = NetNs.current()) {
                return me.inode();
            }
        });
        assertEquals(ns.inode(), inside);
        assertNotEquals(home, inside);
        try (NetNs again = NetNs.current()) {
            assertEquals(home, again.inode(), "the calling thread must not change namespace");
        }
        // /proc/sys/net follows the thread: the namespace's forwarding is set to the opposite of the host's
        // (whatever the host has: a Docker host has it on) and read back there, and the host's stays as it was.
        Path forwarding = Path.of("/proc/sys/net/ipv4/ip_forward");
        String host = Files.readString(forwarding).trim();
        String other = host.equals("1") ? "0" : "1";
        assertEquals(other, ns.call(() -> {
            Files.writeString(forwarding, other);
            return Files.readString(forwarding).trim();
        }));
        assertEquals(host, Files.readString(forwarding).trim(), "the host's forwarding is untouched");
    }

    @Test
    void openByPidAndByPath() throws Exception {
        NetNs ns = namespaces.create("pid");
        Process p = new ProcessBuilder("ip", "netns", "exec", ns.name().orElseThrow(), "sleep", "30").start();
        try {
            Path nsFile = Path.of("/proc/" + p.pid() + "/ns/net");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            long want = ns.inode();
            long got = -1;
            while (System.nanoTime() < deadline && got != want) {
                try (NetNs byPid = NetNs.ofPid(p.pid())) {
                    got = byPid.inode();
                }
                Thread.sleep(20);
            }
            assertEquals(want, got);
            try (NetNs byPath = NetNs.open(nsFile)) {
                assertEquals(want, byPath.inode());
            }
        } finally {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void badNamesAndMissingNamespacesSayWhatToDo() {
        String missing = namespaces.name("missing");
        NamespaceException e = assertThrows(NamespaceException.class, () -> NetNs.named(missing));
        assertTrue(e.getMessage().contains("does not exist") && e.getMessage().contains("ip netns add"), e.getMessage());
        NamespaceException p = assertThrows(NamespaceException.class, () -> NetNs.open(Path.of("/proc/999999999/ns/net")));
        assertTrue(p.getMessage().contains("/proc/999999999/ns/net"), p.getMessage());
        assertThrows(NamespaceException.class, () -> NetNs.ofPid(999_999_999L));
        for (String bad : new String[]{"", "a/b", "..", "has space"}) {
            IllegalArgumentException i = assertThrows(IllegalArgumentException.class, () -> NetNamespaces.create(bad));
            assertTrue(i.getMessage().contains("invalid network namespace name"), i.getMessage());
        }
        NetNs made = namespaces.create("dup");
        NamespaceException dup = assertThrows(NamespaceException.class,
                () -> NetNamespaces.create(made.name().orElseThrow()));
        assertTrue(dup.getMessage().contains("already exists"), dup.getMessage());
        assertTrue(Files.exists(NetNamespaces.RUN_DIR.resolve(made.name().orElseThrow())),
                "a failed duplicate create must not remove the existing namespace");
    }

    @Test
    void rtnlHandleIsBoundToItsNamespace() {
        NetNs a = namespaces.create("a");
        NetNs b = namespaces.create("b");
        try (Rtnl ra = Rtnl.open(a); Rtnl rb = Rtnl.open(b)) {
            ra.links().add(LinkSpec.of("onlya", LinkKind.Bridge.DEFAULT));
            assertTrue(ra.links().find("onlya").isPresent());
            assertTrue(rb.links().find("onlya").isEmpty());
        }
    }
}
