package io.overlaynet.testing;

import io.overlaynet.state.Trees;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A containerd of the test's own (Debian's 1.6, unmodified) with its root, state and sockets in one
 * temporary directory, started inside a namespace of the test's (the lab's underlay). {@code ctr run
 * --cni} reads its networks from /etc/cni/net.d and its plugins from /opt/cni/bin, always: the test's
 * conflist sorts first there ({@code 00-<prefix>...}) and overlaynet-cni is put in /opt/cni/bin unless
 * one is installed; both are removed on close, with the daemon (by pid) and the directory.
 */
public final class Containerd implements AutoCloseable {
    private final Path dir;
    private final Path conflist;
    private final Path plugin = Path.of("/opt/cni/bin/overlaynet-cni");
    private final boolean placedPlugin;
    private final Process daemon;

    public Containerd(String prefix, String network, String daemonNs) throws IOException, InterruptedException {
        dir = Files.createTempDirectory(prefix + "containerd");
        Files.writeString(dir.resolve("config.toml"), String.join("\n",
                "version = 2",
                "root = \"" + dir.resolve("root") + "\"",
                "state = \"" + dir.resolve("state") + "\"",
                "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]",
                "[grpc]",
                "  address = \"" + socket() + "\"",
                "[ttrpc]",
                "  address = \"" + socket() + ".ttrpc\"",
                "[debug]",
                "  address = \"" + dir.resolve("debug.sock") + "\"", ""));
        Path rootfs = Files.createDirectories(dir.resolve("rootfs/bin"));
        Files.copy(Path.of("/usr/bin/busybox"), rootfs.resolve("busybox"));
        for (String applet : List.of("sh", "ping", "sleep", "ip")) {
            Files.createSymbolicLink(rootfs.resolve(applet), Path.of("busybox"));
        }
        Files.createDirectories(Path.of("/etc/cni/net.d"));
        conflist = Path.of("/etc/cni/net.d", "00-" + prefix + network + ".conflist");
        Files.writeString(conflist, "{\"cniVersion\": \"1.0.0\", \"name\": \"" + network
                + "\", \"plugins\": [{\"type\": \"overlaynet-cni\"}]}\n");
        placedPlugin = !Files.exists(plugin);
        if (placedPlugin) {
            Files.createDirectories(plugin.getParent());
            Files.copy(CniShim.binary(), plugin);
        }
        daemon = new ProcessBuilder("nsenter", "--net=/run/netns/" + daemonNs, "containerd", "--config",
                dir.resolve("config.toml").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("containerd.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (ctr(null, "version").exit() != 0) {
            if (System.nanoTime() > deadline || !daemon.isAlive()) {
                close();
                throw new IllegalStateException("containerd did not start; see its log");
            }
            Thread.sleep(100);
        }
    }

    private Path socket() {
        return dir.resolve("containerd.sock");
    }

    public Path rootfs() {
        return dir.resolve("rootfs");
    }

    /** {@code ctr ARGS} against this containerd, inside the host namespace {@code hostNs} (null: here). */
    public Proc.Result ctr(String hostNs, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (hostNs != null) {
            cmd.addAll(List.of("nsenter", "--net=/run/netns/" + hostNs));
        }
        cmd.addAll(List.of("ctr", "-a", socket().toString()));
        cmd.addAll(List.of(args));
        return Proc.run(cmd, Map.of(), "", 120);
    }

    @Override
    public void close() {
        daemon.destroy();
        try {
            if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(conflist);
            if (placedPlugin) {
                Files.deleteIfExists(plugin);
            }
        } catch (IOException | InterruptedException e) {
            // the directory goes anyway
        }
        Trees.remove(dir);
    }
}
