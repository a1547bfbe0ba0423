package io.overlaynet.cni;

import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;
import io.overlaynet.store.Stores;
import io.overlaynet.testing.LabFixture;
import io.overlaynet.bench.PodmanSandbox;
import io.overlaynet.testing.CniShim;
import io.overlaynet.testing.Sockets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real podman, unmodified, on two simulated hosts: its containers join network demo through
 * overlaynet-cni, reach containers on the other host, and give their address back when removed.
 */
class PodmanTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void podmanContainersOnTwoHostsReachEachOtherAndRemovalReleasesTheAddress() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(2, false, "file");
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        try (PodmanSandbox podman = new PodmanSandbox(CniShim.binary(), fixture.prefix, "demo", List.of())) {
            // A container on node2, by address: the lab's own container on node1 reaches it...
            PodmanSandbox.Run web = podman.run(h2.namespace(), "run", "-d", "--name", fixture.prefix + "web", "--network",
                    "demo", "--ip", "12.12.12.90", podman.image(), "sleep", "600");
            assertEquals(0, web.exit(), web.err());
            assertTrue(LabPing.ping(h1.containers().getFirst().namespace(), "12.12.12.90").isPresent(),
                    "node1's pinkns reaches the podman container on node2");
            // ...and a podman container on node1 reaches it too.
            PodmanSandbox.Run ping = podman.run(h1.namespace(), "run", "--rm", "--network", "demo", "--cap-add", "NET_RAW",
                    podman.image(), "ping", "-c", "1", "-W", "3", "12.12.12.90");
            assertEquals(0, ping.exit(), ping.out() + ping.err());
            assertTrue(ping.out().contains("1 packets received"), ping.out());
            try (Store s = Stores.open(lab.store())) {
                Optional<Store.Entry> claim = s.get(Keys.endpoint("demo", "12.12.12.90"));
                assertTrue(claim.isPresent() && claim.get().value().contains("node2"), "the address is claimed for node2");
            }
            PodmanSandbox.Run rm = podman.run(h2.namespace(), "rm", "-f", "-t", "0", fixture.prefix + "web");
            assertEquals(0, rm.exit(), rm.err());
            try (Store s = Stores.open(lab.store())) {
                assertTrue(s.get(Keys.endpoint("demo", "12.12.12.90")).isEmpty(), "podman rm released the address");
                assertEquals(3, s.list(Keys.endpoints("demo")).entries().size(), "only the lab's containers are left");
            }
        }
    }

    @Test
    void tuningBandwidthAndPortmapChainAfterOverlaynet() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(1, false, "file");
        LabHost h1 = lab.hosts().getFirst();
        List<String> chained = List.of("{\"type\": \"tuning\", \"sysctl\": {\"net.core.somaxconn\": \"512\"}}",
                "{\"type\": \"bandwidth\", \"capabilities\": {\"bandwidth\": true}}",
                "{\"type\": \"portmap\", \"capabilities\": {\"portMappings\": true}, \"snat\": true}");
        try (PodmanSandbox podman = new PodmanSandbox(CniShim.binary(), fixture.prefix, "demo", chained)) {
            PodmanSandbox.Run srv = podman.run(h1.namespace(), "run", "-d", "--name", fixture.prefix + "srv", "--network", "demo",
                    "-p", "8080:80", podman.image(), "sh", "-c", "while true; do echo hello-from-container | nc -l -p 80; done");
            assertEquals(0, srv.exit(), srv.err());
            assertEquals("512", podman.run(null, "exec", fixture.prefix + "srv", "cat", "/proc/sys/net/core/somaxconn")
                    .out().strip(), "tuning ran after overlaynet-cni, on its result");
            // From the outside, the host's published port reaches the container (and its answer gets back out).
            try (NetNs out = NetNs.named(fixture.lab().outsideNamespace())) {
                String line = out.call(() -> Sockets.readAll(h1.address(), 8080));
                assertEquals("hello-from-container", line);
            }
        }
    }
}
