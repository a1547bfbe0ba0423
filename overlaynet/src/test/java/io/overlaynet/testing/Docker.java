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
 * A dockerd of the test's own (Debian's 20.10, unmodified) with its data root, exec root, pid file and
 * API socket in one temporary directory, started inside a lab host's namespace and told to leave the
 * host's settings alone (no bridge, no iptables, no forwarding or masquerading). An image is imported
 * from a busybox-static root filesystem. Close removes every container, stops the daemon by its pid
 * and removes the directory.
 */
public final class Docker implements AutoCloseable {
    private final Path dir;
    private final Process daemon;
    private final String image;

    public Docker(String prefix, String hostNs) throws IOException, InterruptedException {
        dir = Files.createTempDirectory(prefix + "docker");
        image = prefix.replaceAll("[^a-z0-9]", "") + "busybox:1";
        daemon = new ProcessBuilder("nsenter", "--net=/run/netns/" + hostNs, "dockerd", "--data-root",
                dir.resolve("data").toString(), "--exec-root", dir.resolve("exec").toString(), "--pidfile",
                dir.resolve("docker.pid").toString(), "-H", "unix://" + socket(), "--bridge=none", "--iptables=false",
                "--ip6tables=false", "--ip-forward=false", "--ip-masq=false", "--storage-driver", "vfs",
                "--default-ulimit", "nofile=20000:20000", "--default-ulimit", "nproc=32768:32768")
                .redirectErrorStream(true).redirectOutput(dir.resolve("dockerd.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (docker("version").exit() != 0) {
            if (System.nanoTime() > deadline || !daemon.isAlive()) {
                String log = Files.exists(dir.resolve("dockerd.log")) ? Files.readString(dir.resolve("dockerd.log")) : "";
                close();
                throw new IllegalStateException("dockerd did not start:\n" + log);
            }
            Thread.sleep(200);
        }
        Path rootfs = Files.createDirectories(dir.resolve("rootfs/bin"));
        Files.copy(Path.of("/usr/bin/busybox"), rootfs.resolve("busybox"));
        for (String applet : List.of("sh", "ping", "sleep", "ip", "nc", "echo")) {
            Files.createSymbolicLink(rootfs.resolve(applet), Path.of("busybox"));
        }
        Path tar = dir.resolve("rootfs.tar");
        Process t = new ProcessBuilder("tar", "-C", dir.resolve("rootfs").toString(), "-cf", tar.toString(), ".").start();
        t.waitFor();
        Proc.Result imported = docker("import", tar.toString(), image);
        if (imported.exit() != 0) {
            throw new IllegalStateException("docker import failed: " + imported.out());
        }
    }

    public Path socket() {
        return dir.resolve("docker.sock");
    }

    public String image() {
        return image;
    }

    /** {@code docker ARGS} against this daemon. */
    public Proc.Result docker(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("docker", "-H", "unix://" + socket()));
        cmd.addAll(List.of(args));
        return Proc.run(cmd, Map.of(), "", 120);
    }

    @Override
    public void close() {
        try {
            if (daemon.isAlive()) {
                Proc.Result ids = docker("ps", "-aq");
                for (String id : ids.out().strip().lines().filter(l -> !l.isBlank()).toList()) {
                    docker("rm", "-f", id);
                }
            }
            daemon.destroy(); // SIGTERM: dockerd stops its containerd and unmounts what it mounted
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException | InterruptedException e) {
            daemon.destroyForcibly();
        }
        Trees.remove(dir);
    }
}
