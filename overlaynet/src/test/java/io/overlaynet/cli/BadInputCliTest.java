package io.overlaynet.cli;

import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.dataplane.Host;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input through the CLI: one-line error, exit 2 (or 1), and nothing created in the kernel or state. */
class BadInputCliTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void refusedWithOneLineAndNothingCreated() throws IOException {
        LabRecord lab = fixture.up(1, new Mode.Static());
        LabHost h = lab.hosts().getFirst();
        List<String> on = fixture.actAs(h, h.nsPrefix() + "x-");
        Cli.expect(0, on, "network", "create", "net1", "--vni", "77", "--subnet", "10.9.0.0/24");
        List<String> nsBefore = NetNamespaces.list();
        List<Path> stateBefore = files(fixture.stateDir);

        expect(2, "VNI 0 is out of range", "network", "create", "n0", "--vni", "0", "--subnet", "10.8.0.0/24");
        expect(2, "VNI 16777216 is out of range", "network", "create", "n0", "--vni", "16777216", "--subnet", "10.8.0.0/24");
        expect(2, "malformed IP address '10.8.0.0.0'", "network", "create", "n0", "--vni", "5", "--subnet", "10.8.0.0.0/24");
        expect(2, "malformed prefix", "network", "create", "n0", "--vni", "5", "--subnet", "10.8.0.0/abc");
        expect(2, "subnet 10.8.0.5/24 has host bits set: use 10.8.0.0/24", "network", "create", "n0", "--vni", "5",
                "--subnet", "10.8.0.5/24");
        expect(2, "is 20 bytes; Linux allows at most 15", "network", "create", "n0", "--vni", "5", "--subnet",
                "10.8.0.0/24", "--bridge", "averyveryverylongbr0");
        String store = "file://" + fixture.stateDir.resolve("store");
        expect(2, "--mode describe one host and cannot go with --store", "network", "create", "n0", "--vni", "5",
                "--subnet", "10.8.0.0/24", "--mode", "flood", "--store", store);
        expect(2, "--bridge, --underlay describe one host and cannot go with --store", "network", "create", "n0",
                "--vni", "5", "--subnet", "10.8.0.0/24", "--underlay", "eth1", "--bridge", "br9", "--store", store);
        expect(2, "is multicast: its members are not known in advance", "network", "create", "n0", "--vni", "5",
                "--subnet", "10.8.0.0/24", "--mode", "multicast:239.1.1.9");
        expect(2, "etcds:// needs ca=FILE", "host", "ls", "--store", "etcds://127.0.0.1:2379");
        expect(2, "give user=NAME and password-file=FILE together", "host", "ls", "--store",
                "etcd://127.0.0.1:2379?user=overlaynet");
        expect(2, "cannot read /nonexistent/ca.pem", "host", "ls", "--store",
                "etcds://127.0.0.1:2379?ca=/nonexistent/ca.pem");
        expect(2, "--tls is for the lab's etcd", "lab", "up", "--tls", "--prefix", fixture.prefix + "t-");
        expect(2, "network net1 exists with vni 77, asked for 78", "network", "create", "net1", "--vni", "78",
                "--subnet", "10.9.0.0/24");
        expect(2, "outside network net1's subnet", "endpoint", "add", "net1", "c1", "--ip", "10.7.0.5");
        expect(2, "network, broadcast or gateway", "endpoint", "add", "net1", "c1", "--ip", "10.9.0.1");
        expect(2, "malformed MAC address", "endpoint", "add", "net1", "c1", "--ip", "10.9.0.5", "--mac", "02:zz");
        expect(1, "cannot open network namespace /proc/999999999/ns/net", "endpoint", "add", "net1", "c1", "--ip",
                "10.9.0.5", "--netns", "/proc/999999999/ns/net");
        expect(2, "VTEP " + h.address() + " is this host's own (eth1)", "peer", "add", "net1", "--ip", "10.9.0.7",
                "--vtep", h.address());
        expect(2, "VTEP 127.0.0.1 is not a unicast IPv4 host address", "peer", "add", "net1", "--ip", "10.9.0.7",
                "--vtep", "127.0.0.1");
        assertEquals(0, Sh.ipJson(Host.overlayNamespace(h.nsPrefix() + "x-", "net1"), "neigh", "show", "10.9.0.7").size(),
                "a refused peer leaves no ARP entry");
        expect(2, "network nope does not exist", "endpoint", "add", "nope", "c1", "--ip", "10.9.0.5");
        Cli.expect(0, on, "endpoint", "add", "net1", "c1", "--ip", "10.9.0.5");
        nsBefore = NetNamespaces.list();
        stateBefore = files(fixture.stateDir);
        expect(2, "already used by endpoint c1", "endpoint", "add", "net1", "c2", "--ip", "10.9.0.5");
        Cli.Run again = Cli.expect(0, on, "endpoint", "add", "net1", "c1", "--ip", "10.9.0.5");
        assertTrue(again.out().contains("unchanged"), again.out());

        assertEquals(nsBefore, NetNamespaces.list(), "no namespace may be created by refused commands");
        assertEquals(stateBefore, files(fixture.stateDir), "no state may be written by refused commands");

        Cli.expect(0, on, "network", "rm", "net1");
        Cli.Run rm2 = Cli.expect(0, on, "network", "rm", "net1");
        assertTrue(rm2.out().contains("not present"), rm2.out());
        assertTrue(NetNamespaces.list().stream().noneMatch(n -> n.startsWith(h.nsPrefix() + "x-")));
    }

    private void expect(int exit, String text, String... args) {
        LabHost h = fixture.lab().record().orElseThrow().hosts().getFirst();
        List<String> command = new ArrayList<>(List.of(args));
        if (args[0].equals("network")) {
            command.addAll(List.of("--mtu", "1400"));
        }
        Cli.Run r = Cli.expect(exit, fixture.actAs(h, h.nsPrefix() + "x-"), command.toArray(String[]::new));
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(text), "expected '" + text + "' in: " + r.err());
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** A bench's tool that is not installed: one line naming the Debian package, before anything is built. */
    @Test
    void aMissingToolIsOneLineNamingItsPackage() throws Exception {
        Path empty = Files.createDirectories(fixture.stateDir.resolve("empty-path"));
        List<String> before = NetNamespaces.list();
        for (List<String> c : List.of(
                List.of("bench", "throughput", "apt-get install iperf3"),
                List.of("bench", "converge", "apt-get install etcd-server"),
                List.of("lab", "up", "--mode", "proactive", "--store", "etcd", "--prefix", fixture.prefix,
                        "--state-dir", fixture.stateDir.toString(), "apt-get install etcd-server"))) {
            List<String> args = new ArrayList<>(c.subList(0, c.size() - 1));
            ProcessBuilder pb = new ProcessBuilder(Cli.inOwnJvm(args.toArray(String[]::new)));
            pb.environment().put("PATH", empty.toString());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            String err = new String(p.getErrorStream().readAllBytes());
            assertEquals(1, p.waitFor(), err + out);
            assertEquals(1, err.strip().lines().count(), err);
            assertTrue(err.contains(c.getLast()), err);
        }
        assertEquals(before, NetNamespaces.list(), "nothing was built");
        assertTrue(Files.notExists(fixture.stateDir.resolve("labs").resolve(fixture.prefix + ".json")));
    }
}
