package io.overlaynet.cni;

import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.Docker;
import io.overlaynet.testing.LabFixture;
import io.overlaynet.testing.Proc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The walkthroughs' Docker flow as one command: a container started with {@code --net=none} is joined
 * to the network through the agent of its simulated host ({@code endpoint add --container}), its
 * namespace found through Docker's API, and it reaches a container on the other host.
 */
class DockerTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void aNetNoneContainerJoinsByNameAndReachesAnotherHost() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(2, false, "file");
        LabHost h1 = lab.hosts().get(0);
        String forwarding = Sh.run("cat", "/proc/sys/net/ipv4/ip_forward").out().strip();
        try (Docker docker = new Docker(fixture.prefix, h1.namespace())) {
            Proc.Result run = docker.docker("run", "-d", "--net=none", "--name", fixture.prefix + "web", docker.image(),
                    "sleep", "600");
            assertEquals(0, run.exit(), run.out());
            Cli.Run add = Cli.expect(0, List.of("--host-ns", h1.namespace(), "--state-dir", fixture.stateDir.toString()),
                    "endpoint", "add", "demo", "web", "--container", fixture.prefix + "web", "--api-socket",
                    docker.socket().toString(), "-o", "json");
            String ip = add.json().path("ip").asText();
            assertTrue(ip.startsWith("12.12.12."), add.out());
            Proc.Result ping = docker.docker("exec", fixture.prefix + "web", "ping", "-c", "1", "-W", "3", "12.12.12.3");
            assertEquals(0, ping.exit(), ping.out());
            assertTrue(LabPing.ping(lab.hosts().get(1).containers().getFirst().namespace(), ip).isPresent(),
                    "node2's container reaches the Docker container");
            Cli.Run missing = Cli.expect(2, List.of("--host-ns", h1.namespace(), "--state-dir", fixture.stateDir.toString()),
                    "endpoint", "add", "demo", "ghost", "--container", fixture.prefix + "nosuch", "--api-socket",
                    docker.socket().toString());
            assertTrue(missing.err().contains("no container " + fixture.prefix + "nosuch"), missing.err());
        }
        assertEquals(forwarding, Sh.run("cat", "/proc/sys/net/ipv4/ip_forward").out().strip(),
                "the host's forwarding setting is as it was");
    }
}
