package io.overlaynet.bench;

import io.overlaynet.state.Trees;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A podman of its own, unmodified (Debian's 4.3), set up the way the README tells users: the
 * CNI backend with overlaynet-cni among its plugins and a conflist naming the network; runc with
 * cgroupfs; rlimits within this machine's hard limits. Storage, run state and configuration live in
 * one temporary directory removed by {@link #close}, with an image imported from a busybox-static root
 * filesystem (no registry is reachable). Each call runs inside a lab host's network namespace, so the
 * plugin reaches that host's agent.
 */
public final class PodmanSandbox implements AutoCloseable {
    private final Path dir;
    private final String image;

    /**
     * @param plugin  the overlaynet-cni executable to put among podman's plugins
     * @param chained more plugins chained after overlaynet-cni in the conflist (each a JSON object, e.g.
     *                Debian's {@code portmap}, {@code tuning}, {@code bandwidth})
     */
    public PodmanSandbox(Path plugin, String prefix, String network, List<String> chained) throws IOException,
            InterruptedException {
        dir = Files.createTempDirectory(prefix + "podman");
        image = "localhost/" + prefix.replaceAll("[^a-z0-9]", "") + "busybox:latest";
        Path bin = Files.createDirectories(dir.resolve("cni-bin"));
        Files.copy(plugin, bin.resolve("overlaynet-cni"));
        Files.createDirectories(dir.resolve("net.d"));
        StringBuilder plugins = new StringBuilder("{\"type\": \"overlaynet-cni\", \"capabilities\": {\"ips\": true, \"mac\": true}}");
        chained.forEach(p -> plugins.append(", ").append(p));
        Files.writeString(dir.resolve("net.d").resolve(network + ".conflist"), "{\"cniVersion\": \"1.0.0\", \"name\": \""
                + network + "\", \"plugins\": [" + plugins + "]}\n");
        Files.writeString(dir.resolve("containers.conf"), String.join("\n",
                "[containers]",
                "default_ulimits = [\"nofile=20000:20000\", \"nproc=32768:32768\"]",
                "[network]",
                "network_backend = \"cni\"",
                "cni_plugin_dirs = [\"" + bin + "\", \"/usr/lib/cni\"]",
                "network_config_dir = \"" + dir.resolve("net.d") + "\"",
                "[engine]",
                "cgroup_manager = \"cgroupfs\"",
                "events_logger = \"file\"",
                "runtime = \"runc\"", ""));
        Path rootfs = Files.createDirectories(dir.resolve("rootfs/bin"));
        Files.copy(Path.of("/usr/bin/busybox"), rootfs.resolve("busybox"));
        for (String applet : List.of("sh", "ping", "sleep", "ip", "cat", "true", "nc", "echo")) {
            Files.createSymbolicLink(rootfs.resolve(applet), Path.of("busybox"));
        }
        Path tar = dir.resolve("rootfs.tar");
        exec(new ProcessBuilder("tar", "-C", dir.resolve("rootfs").toString(), "-cf", tar.toString(), "."));
        Run imported = run(null, "import", tar.toString(), image);
        if (imported.exit() != 0) {
            throw new IllegalStateException("podman import failed: " + imported.err());
        }
    }

    public String image() {
        return image;
    }

    /** What a podman command printed, and its exit code. */
    public record Run(int exit, String out, String err) {
    }

    /** {@code podman ARGS} inside the host namespace {@code hostNs} (null: where the caller runs). */
    public Run run(String hostNs, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (hostNs != null) {
            cmd.addAll(List.of("nsenter", "--net=/run/netns/" + hostNs));
        }
        cmd.addAll(List.of("podman", "--root", dir.resolve("storage").toString(), "--runroot",
                dir.resolve("run").toString(), "--storage-driver", "vfs", "--tmpdir", dir.resolve("tmp").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("CONTAINERS_CONF", dir.resolve("containers.conf").toString());
        Path err = Files.createTempFile(dir, "podman", ".err");
        Process p = pb.redirectError(err.toFile()).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("podman " + String.join(" ", args) + " did not finish in 120 s");
        }
        String errText = Files.readString(err);
        Files.deleteIfExists(err);
        return new Run(p.exitValue(), out, errText);
    }

    private static void exec(ProcessBuilder pb) throws IOException, InterruptedException {
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", pb.command()) + " failed: " + out);
        }
    }

    /** Removes every container (their CNI DELs run), then the whole directory. */
    @Override
    public void close() {
        try {
            run(null, "rm", "-a", "-f", "-t", "0");
        } catch (IOException | InterruptedException | RuntimeException e) {
            // removing the directory anyway
        }
        Trees.remove(dir);
    }
}
