package io.overlaynet.bench;

import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.netns.NetNs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code overlaynet bench cni}: ADD then DEL of N containers' namespaces, each call made exactly as a
 * runtime makes it (a new process, CNI_* variables, the configuration on stdin), alternating between
 * overlaynet-cni (through a lab host's agent) and the reference plugins, Debian's
 * containernetworking-plugins {@code bridge} with {@code host-local} IPAM, on the same simulated host.
 * The figure is the reference's median ADD over ours.
 */
public final class CniBench {
    /** Where runtimes look for plugins; the reference plugins are found there too. */
    static final List<Path> PLUGIN_DIRS = List.of(Path.of("/opt/cni/bin"), Path.of("/usr/lib/cni"));
    private final int containers;
    private final Path plugin;
    private final String store;
    private final int podmanRuns;
    private final PrintStream out;

    /** @param podmanRuns {@code podman run --rm IMAGE true} on each network, alternating (0: none) */
    public CniBench(int containers, Path plugin, String store, int podmanRuns, PrintStream out) {
        this.containers = containers;
        this.plugin = plugin;
        this.store = store;
        this.podmanRuns = podmanRuns;
        this.out = out;
    }

    /** overlaynet-cni where {@code bin/install} puts it, or a one-line reason. */
    public static Path installedPlugin() {
        return PLUGIN_DIRS.stream().map(d -> d.resolve("overlaynet-cni")).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IllegalStateException("overlaynet-cni is not installed in /opt/cni/bin or "
                        + "/usr/lib/cni: run bin/install, or give --plugin PATH"));
    }

    private static Path reference(String name) {
        return PLUGIN_DIRS.stream().map(d -> d.resolve(name)).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IllegalStateException("the reference CNI plugin '" + name + "' is missing: "
                        + "apt-get install containernetworking-plugins"));
    }

    public Figures run() {
        Path bridge = reference("bridge");
        reference("host-local");
        out.printf("overlaynet bench cni: %d containers, ADD then DEL, overlaynet-cni (agent, %s store) against bridge + "
                + "host-local, alternating, one simulated host%n", containers, store);
        List<Double> ourAdd = new ArrayList<>();
        List<Double> ourDel = new ArrayList<>();
        List<Double> refAdd = new ArrayList<>();
        List<Double> refDel = new ArrayList<>();
        List<Double> podmanOurs = new ArrayList<>();
        List<Double> podmanDefault = new ArrayList<>();
        try (AgentLab l = new AgentLab("cn", 1, false, store, out)) {
            LabHost h = l.host(0);
            String ours = "{\"cniVersion\":\"1.0.0\",\"name\":\"demo\",\"type\":\"overlaynet-cni\"}";
            String ref = "{\"cniVersion\":\"1.0.0\",\"name\":\"" + l.scratch.prefix() + "ref\",\"type\":\"bridge\","
                    + "\"bridge\":\"" + l.scratch.prefix().substring(0, Math.min(10, l.scratch.prefix().length())) + "br\","
                    + "\"isGateway\":true,\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.251.0.0/16\",\"dataDir\":\""
                    + l.scratch.dir().resolve("ipam") + "\"}}";
            List<NetNs> mine = new ArrayList<>();
            List<NetNs> theirs = new ArrayList<>();
            for (int i = 0; i < containers; i++) {
                mine.add(l.scratch.namespace("o" + i));
                theirs.add(l.scratch.namespace("r" + i));
            }
            // One untimed round each way: caches, the agent's JIT, the reference's first-run work.
            call(h, plugin, "ADD", "warm-o", path(mine.get(0)), ours);
            call(h, plugin, "DEL", "warm-o", path(mine.get(0)), ours);
            call(h, bridge, "ADD", "warm-r", path(theirs.get(0)), ref);
            call(h, bridge, "DEL", "warm-r", path(theirs.get(0)), ref);
            for (int i = 0; i < containers; i++) {
                ourAdd.add(call(h, plugin, "ADD", "o" + i, path(mine.get(i)), ours));
                refAdd.add(call(h, bridge, "ADD", "r" + i, path(theirs.get(i)), ref));
            }
            for (int i = 0; i < containers; i++) {
                ourDel.add(call(h, plugin, "DEL", "o" + i, path(mine.get(i)), ours));
                refDel.add(call(h, bridge, "DEL", "r" + i, path(theirs.get(i)), ref));
            }
            if (podmanRuns > 0) {
                podman(l, h, podmanOurs, podmanDefault);
            }
        }
        out.println();
        out.printf("%-44s %10s %10s%n", "ms per call", "p50", "p99");
        row("overlaynet-cni ADD", ourAdd);
        row("bridge + host-local ADD", refAdd);
        row("overlaynet-cni DEL", ourDel);
        row("bridge + host-local DEL", refDel);
        if (podmanRuns > 0) {
            row("podman run --rm: overlaynet network", podmanOurs);
            row("podman run --rm: podman's default network", podmanDefault);
        }
        out.println();
        Figures f = new Figures(out).add("cni_del_vs_bridge_plugin", Stats.median(refDel) / Stats.median(ourDel), "%.2f");
        if (podmanRuns > 0) {
            f.add("podman_run_vs_default", Stats.median(podmanDefault) / Stats.median(podmanOurs), "%.2f");
        }
        return f.add("cni_add_vs_bridge_plugin", Stats.median(refAdd) / Stats.median(ourAdd), "%.2f");
    }

    /**
     * {@code podman run --rm IMAGE true} on network demo (overlaynet-cni) and on podman's own default
     * network (its bridge plugin), alternating, in the same simulated host; one untimed run of each first.
     */
    private void podman(AgentLab l, LabHost h, List<Double> ours, List<Double> theirs) {
        try (PodmanSandbox podman = new PodmanSandbox(plugin, l.scratch.prefix(), "demo", List.of())) {
            String[] onOurs = {"run", "--rm", "--network", "demo", podman.image(), "true"};
            String[] onDefault = {"run", "--rm", podman.image(), "true"};
            timed(podman, h, onOurs);
            timed(podman, h, onDefault);
            for (int i = 0; i < podmanRuns; i++) {
                ours.add(timed(podman, h, onOurs));
                theirs.add(timed(podman, h, onDefault));
            }
        } catch (IOException e) {
            throw new IllegalStateException("podman: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static double timed(PodmanSandbox podman, LabHost h, String... args) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        PodmanSandbox.Run r = podman.run(h.namespace(), args);
        double ms = (System.nanoTime() - t0) / 1e6;
        if (r.exit() != 0) {
            throw new IllegalStateException("podman " + String.join(" ", args) + " failed: " + r.err().strip());
        }
        return ms;
    }

    private void row(String name, List<Double> ms) {
        out.printf("%-44s %10.2f %10.2f%n", name, Stats.median(ms), Stats.percentile(ms, 99));
    }

    private static String path(NetNs ns) {
        return "/run/netns/" + ns.name().orElseThrow();
    }

    /** One plugin call as a runtime makes it, inside the host's namespace; milliseconds; fails on a non-zero exit. */
    private static double call(LabHost h, Path plugin, String verb, String id, String netns, String config) {
        ProcessBuilder pb = new ProcessBuilder("nsenter", "--net=/run/netns/" + h.namespace(), plugin.toString());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("CNI_"));
        env.putAll(Map.of("CNI_COMMAND", verb, "CNI_CONTAINERID", id, "CNI_NETNS", netns, "CNI_IFNAME", "eth0",
                "CNI_PATH", String.join(":", PLUGIN_DIRS.stream().map(Path::toString).toList())));
        try {
            long t0 = System.nanoTime();
            Process p = pb.start();
            p.getOutputStream().write(config.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(plugin.getFileName() + " " + verb + " did not finish in 30 s");
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            if (p.exitValue() != 0) {
                throw new IllegalStateException(plugin.getFileName() + " " + verb + " failed: " + stdout.strip() + " "
                        + stderr.strip());
            }
            return ms;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + plugin + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
