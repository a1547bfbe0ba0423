package io.overlaynet.store;

import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.lab.LabTls;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lab's etcd with {@code --tls}: the agents work through it (TLS, a client certificate, user and
 * password), and every other way in is refused: plain gRPC, a certificate from another CA, a client
 * that does not trust etcd's certificate, a wrong password. When the store refuses the agents (their
 * user loses its permission) they keep the data plane as it was.
 */
class EtcdTlsTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void onlyTheLabsCredentialsGetInAndARefusedAgentKeepsTheDataPlane() throws Exception {
        LabRecord lab = fixture.lab().withTls().upWithAgents(2, false, "etcd");
        assertTrue(lab.store().startsWith("etcds://"), lab.store());
        assertTrue(lab.tls());
        assertAllAnswer(lab);
        String hosts = lab.store().substring("etcds://".length(), lab.store().indexOf('?'));
        EtcdAccess good = EtcdAccess.parse(true, lab.store().substring(lab.store().indexOf('?') + 1));
        LabTls other = LabTls.make(fixture.stateDir.resolve("other-ca"), List.of("192.168.104.1"));
        Path wrongPassword = fixture.stateDir.resolve("wrong-password");
        Files.writeString(wrongPassword, "not-the-password\n");
        try (NetNs underlay = NetNs.named(lab.underlayNamespace())) {
            // The lab's own credentials read the overlaynet keys.
            assertTrue(underlay.call(() -> list(hosts, good)) > 0);
            refused(underlay, "etcd://" + hosts, "plaintext");
            refused(underlay, "etcds://" + hosts + new EtcdAccess(true, good.ca(), Optional.of(other.clientCert()),
                    Optional.of(other.clientKey()), good.user(), good.passwordFile()).query(), "a certificate of another CA");
            refused(underlay, "etcds://" + hosts + new EtcdAccess(true, Optional.of(other.ca()), good.cert(), good.key(),
                    good.user(), good.passwordFile()).query(), "a client that does not trust etcd's certificate");
            refused(underlay, "etcds://" + hosts + new EtcdAccess(true, good.ca(), good.cert(), good.key(), good.user(),
                    Optional.of(wrongPassword)).query(), "a wrong password");

            // The store now refuses the agents' user: they keep what they programmed.
            String arpBefore = arp(lab.hosts().get(0));
            underlay.call(() -> {
                EtcdAccess root = new EtcdAccess(true, good.ca(), good.cert(), good.key(), Optional.of("root"),
                        good.passwordFile());
                try (EtcdStore s = new EtcdStore(EtcdStore.parseEndpoints(hosts), root)) {
                    s.revoke(LabTls.USER, Keys.ROOT);
                }
                return null;
            });
            refused(underlay, lab.store(), "the agents' user after its permission was revoked");
            Thread.sleep(3000);
            assertEquals(arpBefore, arp(lab.hosts().get(0)), "node1's entries stay while the store refuses its agent");
            assertAllAnswer(lab);
        }
    }

    private static long list(String hosts, EtcdAccess access) {
        try (EtcdStore s = new EtcdStore(EtcdStore.parseEndpoints(hosts), access)) {
            return s.list(Keys.ROOT).entries().size();
        }
    }

    private static void refused(NetNs ns, String url, String who) {
        StoreException e = assertThrows(StoreException.class, () -> ns.call(() -> {
            try (Store s = Stores.open(url)) {
                return s.list(Keys.ROOT).entries().size();
            }
        }), who + " must be refused");
        System.out.println(who + ": " + e.getMessage());
    }

    private static void assertAllAnswer(LabRecord lab) {
        List<LabPing.Result> all = LabPing.all(lab);
        assertTrue(all.stream().allMatch(LabPing.Result::ok), all.toString());
    }

    private static String arp(LabHost h) {
        return Sh.run("ip", "-n", h.overlayNamespace(), "neigh", "show", "dev", "vxlan1").ok().out();
    }
}
