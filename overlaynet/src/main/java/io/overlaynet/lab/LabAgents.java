package io.overlaynet.lab;

import io.overlaynet.dataplane.Attach;

import io.overlaynet.agent.AgentClient;
import io.overlaynet.agent.StoreRecords;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.lab.LabRecord.Container;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.store.FileStore;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;
import io.overlaynet.store.Stores;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The lab with agents: a store (a file directory, or a real etcd started here), one agent process per
 * host started inside that host's network namespace, and the walkthroughs' containers added through each
 * host's agent (so addresses are claimed in the store and every other host learns them).
 */
final class LabAgents {
    /** Small heap, C1 only, serial GC: an agent's footprint, not a server's. */
    static final List<String> AGENT_JVM = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmx96m", "-XX:TieredStopAtLevel=1",
            "-XX:+UseCompactObjectHeaders", "-Xss256k", "-XX:ReservedCodeCacheSize=12m", "-XX:MaxDirectMemorySize=16m",
            "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20", "-XX:-ShrinkHeapInSteps", "-XX:MaxNewSize=8m", "-XX:CICompilerCount=1", "-Xshare:off", "-XX:-UsePerfData",
            "-Dio.netty.allocator.type=unpooled", "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");

    private final Path labDir;
    private final Path stateRoot;

    LabAgents(Path stateRoot, String prefix) {
        this.stateRoot = stateRoot;
        this.labDir = stateRoot.resolve("labs").resolve(prefix);
    }

    record Started(String storeUrl, String storeDir, List<Long> etcdPids) {
    }

    /**
     * The lab's store. etcd members run at {@code places} (the underlay namespace, or namespaces of their
     * own on the underlay); the agents live in host namespaces and reach them over the lab's underlay,
     * and the lab's own client calls run in the underlay namespace.
     */
    Started store(String kind, String underlayNs, List<EtcdProcess.Place> places, boolean tls) throws IOException {
        Files.createDirectories(labDir);
        if (kind.equals("etcd")) {
            EtcdProcess etcd = EtcdProcess.start(places, labDir.resolve("etcd"),
                    Optional.of(NetNamespaces.RUN_DIR.resolve(underlayNs)), tls);
            etcd.inside(() -> {
                defineNetwork(etcd.url());
                return null;
            });
            return new Started(etcd.url(), labDir.resolve("etcd").toString(),
                    etcd.members().stream().map(m -> m.process().pid()).toList());
        }
        if (!kind.equals("file")) {
            throw new IllegalArgumentException("unknown store kind '" + kind + "': use file or etcd");
        }
        Path dir = labDir.resolve("store");
        defineNetwork("file://" + dir);
        return new Started("file://" + dir, dir.toString(), List.of());
    }

    static void defineNetwork(String storeUrl) {
        try (Store s = Stores.open(storeUrl)) {
            s.put(Keys.network(Lab.NETWORK), StoreRecords.json(new StoreRecords.NetworkSpec(Lab.NETWORK, Lab.VNI,
                    Lab.SUBNET.toString(), Lab.SUBNET.addressAt(1).getHostAddress(), Lab.MTU, 4789, false, true)));
        }
    }

    /** The Docker driver name a lab host's agent serves ({@code <host prefix>overlaynet}). */
    static String dockerDriver(LabHost h) {
        return h.nsPrefix().toLowerCase() + "overlaynet";
    }

    Path socket(LabHost h) {
        return labDir.resolve(h.name() + ".sock");
    }

    /** Starts the agent of one host inside its namespace (nsenter --net: no private mount namespace). */
    long startAgent(LabHost h, String storeUrl, boolean reactive, boolean open, boolean encrypt, Attach attach)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of("setsid", "nsenter", "--net=" + NetNamespaces.RUN_DIR.resolve(h.namespace()),
                ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(AGENT_JVM);
        String extra = System.getenv("OVERLAYNET_AGENT_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.overlaynet.cli.Main", "agent",
                "--store", storeUrl, "--host", h.name(), "--mode", reactive ? "reactive" : "proactive",
                "--underlay", "eth1", "--ns-prefix", h.nsPrefix(), "--state-dir", stateRoot.toString(),
                "--host-ns", h.namespace(), "--docker-plugin", dockerDriver(h),
                "--api-socket", socket(h).toString(), "--lease-ttl", "10"));
        if (open) {
            cmd.add("--no-allow-list");
        }
        cmd.add("--attach=" + attach);
        if (encrypt) {
            cmd.add("--encrypt");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(labDir.resolve(h.name() + ".log").toFile());
        // Fewer malloc arenas: less native memory held by a process with a dozen threads.
        pb.environment().put("MALLOC_ARENA_MAX", "2");
        Process p = pb.start();
        return p.pid();
    }

    AgentClient await(LabHost h, long pid) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Optional<AgentClient> c = AgentClient.find(socket(h));
            if (c.isPresent()) {
                return c.get();
            }
            if (ProcessHandle.of(pid).map(ph -> !ph.isAlive()).orElse(true)) {
                Path log = labDir.resolve(h.name() + ".log");
                throw new IllegalStateException("agent of " + h.name() + " exited" + lastLine(log).map(l -> " (" + l + ")")
                        .orElse("") + "; see " + log);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("agent of " + h.name() + " did not answer on " + socket(h) + " within 60 s");
    }

    /** The last non-blank line of a log: usually the agent's own one-line reason for stopping. */
    private static Optional<String> lastLine(Path log) {
        try {
            return Files.readAllLines(log).reversed().stream().map(String::strip).filter(l -> !l.isEmpty()).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    List<Container> addContainers(AgentClient agent, List<String[]> containers) throws IOException {
        List<Container> out = new ArrayList<>();
        for (String[] c : containers) {
            EndpointRecord e = agent.addEndpoint(Lab.NETWORK, c[0], Optional.of(c[1]), Optional.empty(), Optional.empty());
            out.add(new Container(c[0], e.namespace(), e.ip(), e.mac()));
        }
        return out;
    }

    /** SIGTERM (agents deregister), then SIGKILL after 10 s; only our own pids. */
    static void stop(List<Long> pids) {
        List<ProcessHandle> live = new ArrayList<>();
        for (long pid : pids) {
            ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(ph -> {
                ph.destroy();
                live.add(ph);
            });
        }
        for (ProcessHandle ph : live) {
            try {
                ph.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                ph.destroyForcibly();
            }
        }
    }

    static void removeStore(LabRecord rec) {
        if (!rec.storeDir().isEmpty()) {
            new FileStore(Path.of(rec.storeDir())).destroy();
        }
    }
}
