package io.overlaynet.cli;

import io.overlaynet.dataplane.Mode;
import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Commands run inside a host namespace with {@code ip netns exec HOST overlaynet ...}, where the process
 * also has a private mount namespace: named container namespaces it makes must outlive it and be
 * visible to {@code ip netns}.
 */
class IpNetnsExecTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    private Sh.Result exec(String hostNs, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", hostNs));
        cmd.addAll(Cli.inOwnJvm(args));
        return Sh.run(cmd.toArray(String[]::new));
    }

    @Test
    void endpointAndPeerFromInsideHostNamespaces() {
        LabRecord lab = fixture.up(2, new Mode.Static());
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        String state = fixture.stateDir.toString();
        Sh.Result add = exec(h1.namespace(), "endpoint", "add", "demo", "viaexec", "--ip", "12.12.12.88",
                "--ns-prefix", h1.nsPrefix(), "--state-dir", state);
        assertEquals(0, add.exit(), add.err() + add.out());
        String ns = h1.nsPrefix() + "viaexec";
        assertTrue(NetNamespaces.list().contains(ns));
        assertEquals(1, Sh.ipJson(ns, "link", "show", "dev", "eth0").size(), "the namespace outlives the command");

        Sh.Result peer = exec(h2.namespace(), "peer", "add", "demo", "--ip", "12.12.12.88", "--vtep", h1.address(),
                "--ns-prefix", h2.nsPrefix(), "--state-dir", state);
        assertEquals(0, peer.exit(), peer.err() + peer.out());
        assertTrue(LabPing.ping(h2.containers().getFirst().namespace(), "12.12.12.88").isPresent());

        Sh.Result fdb = exec(h2.namespace(), "show", "fdb", "-o", "json", "--ns-prefix", h2.nsPrefix(), "--state-dir", state);
        assertTrue(fdb.out().contains("192.168.104.2"), fdb.out());

        Sh.Result rm = exec(h1.namespace(), "endpoint", "rm", "demo", "viaexec", "--ns-prefix", h1.nsPrefix(),
                "--state-dir", state);
        assertEquals(0, rm.exit(), rm.err() + rm.out());
        assertFalse(NetNamespaces.list().contains(ns));
    }
}
