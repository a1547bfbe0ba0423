package io.overlaynet.cni;

import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;
import io.overlaynet.store.Stores;
import io.overlaynet.testing.Containerd;
import io.overlaynet.testing.LabFixture;
import io.overlaynet.testing.Proc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** containerd's own client, {@code ctr run --cni}, unmodified: a container on one simulated host reaches another. */
class ContainerdTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void ctrRunWithCniReachesAContainerOnAnotherHostAndGivesItsAddressBack() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(2, false, "file");
        LabHost h1 = lab.hosts().get(0);
        try (Containerd containerd = new Containerd(fixture.prefix, "demo", lab.underlayNamespace())) {
            Proc.Result ping = containerd.ctr(h1.namespace(), "run", "--rm", "--cni", "--rootfs",
                    containerd.rootfs().toString(), fixture.prefix + "c1", "/bin/ping", "-c", "1", "-W", "3", "12.12.12.3");
            assertEquals(0, ping.exit(), ping.out());
            assertTrue(ping.out().contains("1 packets received"), ping.out());
            try (Store s = Stores.open(lab.store())) {
                assertEquals(3, s.list(Keys.endpoints("demo")).entries().size(),
                        "ctr run --rm gave the container's address back");
            }
        }
    }
}
