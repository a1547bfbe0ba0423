package io.overlaynet.agent;

import io.overlaynet.dataplane.Mode;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's API socket checks each caller's credentials (SO_PEERCRED): root and the configured group
 * get answers, anyone else a 403 naming why, even when the file's permissions would let them connect.
 * The callers are a one-file Java client run as user 65534 with different groups (setpriv).
 */
class ApiCredentialsTest {
    private static final String CLIENT = """
            import java.net.*; import java.nio.*; import java.nio.channels.*;
            public class Client { public static void main(String[] a) throws Exception {
              try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(a[0]))) {
                c.write(ByteBuffer.wrap("GET /v1/status HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n".getBytes()));
                ByteBuffer b = ByteBuffer.allocate(4096); StringBuilder s = new StringBuilder();
                while (c.read(b.clear()) > 0) { s.append(new String(b.array(), 0, b.position())); }
                System.out.println(s.toString().lines().findFirst().orElse("") + " " + s.substring(Math.max(0, s.indexOf("{"))));
              } } }
            """;

    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void rootAndTheGroupAreAnsweredOthersRefused() throws Exception {
        LabRecord lab = fixture.up(1, new Mode.Static());
        LabHost h1 = lab.hosts().getFirst();
        Path storeDir = fixture.stateDir.resolve("store");
        Files.createDirectories(storeDir);
        Path dir = Files.createTempDirectory("overlaynet-api-");
        Path socket = dir.resolve("run").resolve("agent.sock");
        Path client = dir.resolve("Client.java");
        Files.writeString(client, CLIENT);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(client, PosixFilePermissions.fromString("rw-r--r--"));
        AgentConfig cfg = new AgentConfig("file://" + storeDir, "node1", false, Optional.of("eth1"), h1.nsPrefix() + "a-",
                fixture.stateDir, Optional.of(h1.namespace()), Duration.ofSeconds(5), socket, 0, Duration.ofSeconds(1),
                false, Optional.empty(), Optional.of("4242"));
        try (Agent agent = new Agent(cfg)) {
            agent.start();
            assertTrue(call(socket, client, "0", "0").startsWith("HTTP/1.1 200"), "root");
            assertTrue(call(socket, client, "65534", "4242").startsWith("HTTP/1.1 200"), "the API group");
            // Open the file to everyone: the credentials check still refuses a stranger.
            Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            String stranger = call(socket, client, "65534", "4243");
            assertTrue(stranger.startsWith("HTTP/1.1 403") && stranger.contains("only root and group 4242 may"), stranger);
        } finally {
            io.overlaynet.state.Trees.remove(dir);
        }
    }

    private static String call(Path socket, Path client, String uid, String gid) {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Sh.Result r = Sh.run("setpriv", "--reuid", uid, "--regid", gid, "--clear-groups", java, client.toString(),
                socket.toString());
        return r.out().strip() + r.err();
    }
}
