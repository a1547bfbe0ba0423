package io.overlaynet.dataplane;

import io.overlaynet.lab.Lab;
import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A way out: containers on every host reach the lab's outside, which sees their host's address, never
 * theirs; another network's containers cannot come in through the way out. The host's nf_tables
 * table is read back with {@code nft -j list ruleset}.
 */
class EgressTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void containersReachTheOutsideAsTheirHostAndNetworksStayApart() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(2, false, "file");
        String outside = fixture.lab().outsideNamespace();
        try (NetNs out = NetNs.named(outside);
             ServerSocket server = out.call(() -> new ServerSocket(7777, 50, Lab.OUTSIDE))) {
            for (LabHost h : lab.hosts()) {
                InetAddress seen = connectFrom(h.containers().getFirst().namespace(), server);
                assertEquals(h.address(), seen.getHostAddress(),
                        "the outside sees " + h.name() + "'s address, not the container's");
            }
        }
        LabHost h1 = lab.hosts().getFirst();
        String rules = Sh.run("ip", "netns", "exec", h1.namespace(), "nft", "-j", "list", "ruleset").out();
        assertTrue(rules.contains("\"masquerade\"") && rules.contains("\"12.12.12.0\"") && rules.contains("\"oe42\""),
                "ip saddr 12.12.12.0/24 oifname != \"oe42\" masquerade, in:\n" + rules);

        // A second network with its own way out on the same host cannot reach demo's containers through it.
        List<String> asH1 = List.of("--host-ns", h1.namespace(), "--state-dir", fixture.stateDir.toString());
        Cli.expect(0, List.of(), "network", "create", "blue", "--vni", "43", "--subnet", "10.77.0.0/24", "--store",
                lab.store());
        String blue = Cli.expect(0, asH1, "endpoint", "add", "blue", "b1", "-o", "json").json().path("namespace").asText();
        assertTrue(LabPing.ping(blue, Lab.OUTSIDE.getHostAddress()).isPresent(), "blue reaches the outside too");
        assertTrue(LabPing.ping(blue, "12.12.12.3").isEmpty(), "blue must not reach demo's containers");
        assertTrue(LabPing.ping(blue, "12.12.12.2").isEmpty(), "not even on its own host");
    }

    /** Connects from inside a container's namespace; returns the peer address the outside saw. */
    private static InetAddress connectFrom(String containerNs, ServerSocket server) throws Exception {
        try (NetNs c = NetNs.named(containerNs);
             Socket client = c.call(() -> {
                 Socket s = new Socket();
                 s.connect(new InetSocketAddress(Lab.OUTSIDE, 7777), 3000);
                 return s;
             });
             Socket accepted = server.accept()) {
            return accepted.getInetAddress();
        }
    }
}
