package io.overlaynet.cni;

import io.overlaynet.dataplane.Attach;
import io.overlaynet.lab.Lab;
import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;
import io.overlaynet.store.Stores;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.Docker;
import io.overlaynet.testing.LabFixture;
import io.overlaynet.testing.Proc;
import io.overlaynet.testing.Sockets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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
            // The container goes behind overlaynet's back: endpoint ls says its namespace is gone.
            docker.docker("rm", "-f", fixture.prefix + "web");
            Cli.Run ls = Cli.expect(0, List.of("--host-ns", h1.namespace(), "--state-dir", fixture.stateDir.toString()),
                    "endpoint", "ls", "demo");
            assertTrue(ls.out().lines().anyMatch(l -> l.contains(" web ") && l.endsWith("namespace gone")), ls.out());
            assertTrue(ls.out().lines().anyMatch(l -> l.contains("pinkns") && l.endsWith(" up")), ls.out());
        }
        assertEquals(forwarding, Sh.run("cat", "/proc/sys/net/ipv4/ip_forward").out().strip(),
                "the host's forwarding setting is as it was");
    }

    /**
     * Docker's own networks: on two hosts, {@code docker network create -d <driver> --ipam-driver <driver>
     * --subnet 12.12.12.0/24 -o vni=42 demo} joins the store's network with that VNI, {@code docker run
     * --network demo} containers get cluster-wide addresses, and they reach each other across hosts.
     */
    /** Through the driver, on hosts attaching by bridge (veth handed over) and by macvlan (a child handed over). */
    @ParameterizedTest
    @EnumSource(Attach.class)
    void dockerNetworksOfTheDriverReachAcrossHosts(Attach attach) throws Exception {
        LabRecord lab = fixture.lab().attachedBy(attach).upWithAgents(2, false, "file");
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        try (Docker d1 = new Docker(fixture.prefix + "1", h1.namespace());
             Docker d2 = new Docker(fixture.prefix + "2", h2.namespace())) {
            for (Docker d : List.of(d1, d2)) {
                String driver = Lab.dockerDriver(d == d1 ? h1 : h2);
                Proc.Result net = d.docker("network", "create", "-d", driver, "--ipam-driver", driver, "--subnet",
                        "12.12.12.0/24", "-o", "vni=42", "demo");
                assertEquals(0, net.exit(), net.out() + net.err());
            }
            Proc.Result web = d1.docker("run", "-d", "--network", "demo", "--name", "web", d1.image(), "sleep", "600");
            assertEquals(0, web.exit(), web.out() + web.err());
            String ip = d1.docker("inspect", "-f", "{{.NetworkSettings.Networks.demo.IPAddress}}", "web").out().strip();
            assertTrue(ip.startsWith("12.12.12.") && !List.of("12.12.12.2", "12.12.12.3", "12.12.12.4").contains(ip), ip);
            Proc.Result ping = d2.docker("run", "--rm", "--network", "demo", d2.image(), "ping", "-c", "1", "-W", "3", ip);
            assertEquals(0, ping.exit(), ping.out() + ping.err());
            assertTrue(LabPing.ping(h2.containers().getFirst().namespace(), ip).isPresent(),
                    "node2's lab container reaches the Docker container on node1");
            // -p through the driver: the host's address and port reach a container, from the lab's outside.
            Proc.Result srv = d1.docker("run", "-d", "--network", "demo", "--name", "srv", "-p", "8080:80", d1.image(), "sh",
                    "-c", "while true; do echo hello-from-docker | nc -l -p 80; done");
            assertEquals(0, srv.exit(), srv.out() + srv.err());
            try (NetNs out = NetNs.named(fixture.lab().outsideNamespace())) {
                assertEquals("hello-from-docker", out.call(() -> Sockets.readAll(h1.address(), 8080)));
            }
            // The container's eth0 is what the hosts' agents attach by: a child of vxlan1, or a veth.
            String sandbox = d1.docker("inspect", "-f", "{{.NetworkSettings.SandboxKey}}", "web").out().strip();
            String eth0 = Sh.run("nsenter", "--net=" + sandbox, "ip", "-d", "-j", "link", "show", "eth0").ok().out();
            String kind = attach == Attach.MACVLAN ? "macvlan" : "veth";
            assertTrue(eth0.contains("\"info_kind\":\"" + kind + "\""), "eth0 is a " + kind + ": " + eth0);
            Proc.Result rm = d1.docker("rm", "-f", "web");
            assertEquals(0, rm.exit(), rm.out());
            assertTrue(Sh.ipJson(h1.namespace(), "link", "show", "type", "macvlan").isEmpty(),
                    "nothing handed over is left in node1's namespace");
            try (Store s = Stores.open(lab.store())) {
                assertTrue(s.get(Keys.endpoint("demo", ip)).isEmpty(), "docker rm gave the address back");
            }
        }
    }
}
