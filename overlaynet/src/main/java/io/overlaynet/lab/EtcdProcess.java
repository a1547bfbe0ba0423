package io.overlaynet.lab;

import io.overlaynet.store.EtcdStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real etcd (Debian's etcd-server) on 127.0.0.1 with a temporary data directory: one member, or a
 * cluster of several on one machine. Stopped by its own pid; the data directory is removed.
 */
public final class EtcdProcess implements AutoCloseable {
    public record Member(String name, int clientPort, int peerPort, Path dataDir, Process process) {
        public String client() {
            return "127.0.0.1:" + clientPort;
        }
    }

    private final List<Member> members = new ArrayList<>();
    private final Path base;

    private EtcdProcess(Path base) {
        this.base = base;
    }

    /** Starts {@code size} members forming one cluster and waits until it answers. */
    public static EtcdProcess start(int size, Path base) {
        EtcdProcess e = new EtcdProcess(base);
        try {
            List<int[]> ports = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                ports.add(new int[]{freePort(), freePort()});
            }
            StringBuilder cluster = new StringBuilder();
            for (int i = 0; i < size; i++) {
                cluster.append(i == 0 ? "" : ",").append("m").append(i).append("=http://127.0.0.1:").append(ports.get(i)[1]);
            }
            for (int i = 0; i < size; i++) {
                e.members.add(e.launch("m" + i, ports.get(i)[0], ports.get(i)[1], cluster.toString()));
            }
            e.awaitHealthy();
            return e;
        } catch (RuntimeException ex) {
            e.close();
            throw ex;
        }
    }

    private Member launch(String name, int client, int peer, String cluster) {
        Path dir = base.resolve(name);
        try {
            Files.createDirectories(dir);
            Process p = new ProcessBuilder("etcd", "--name", name, "--data-dir", dir.toString(),
                    "--listen-client-urls", "http://127.0.0.1:" + client,
                    "--advertise-client-urls", "http://127.0.0.1:" + client,
                    "--listen-peer-urls", "http://127.0.0.1:" + peer,
                    "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
                    "--initial-cluster", cluster, "--initial-cluster-state", "new",
                    "--initial-cluster-token", "overlaynet-" + base.getFileName())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
            return new Member(name, client, peer, dir, p);
        } catch (IOException ex) {
            throw new IllegalStateException("cannot start etcd: " + ex.getMessage()
                    + " (install it: apt-get install etcd-server)", ex);
        }
    }

    private void awaitHealthy() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            for (Member m : members) {
                if (!m.process().isAlive()) {
                    throw new IllegalStateException("etcd " + m.name() + " exited; see " + m.dataDir().resolve("etcd.log"));
                }
            }
            try (EtcdStore s = new EtcdStore(clients())) {
                s.list("/overlaynet-health-check/");
                return;
            } catch (RuntimeException ex) {
                last = ex;
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new IllegalStateException("etcd did not become healthy in 30 s: " + (last == null ? "" : last.getMessage()));
    }

    public List<String> clients() {
        return members.stream().filter(m -> m.process().isAlive()).map(Member::client).toList();
    }

    public List<String> allClients() {
        return members.stream().map(Member::client).toList();
    }

    /** The store URL, e.g. {@code etcd://127.0.0.1:23790,127.0.0.1:23791}. */
    public String url() {
        return "etcd://" + String.join(",", allClients());
    }

    public List<Member> members() {
        return members;
    }

    /** Kills one member hard (SIGKILL), as a crash would. */
    public void kill(int index) {
        Process p = members.get(index).process();
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (Member m : members) {
            m.process().destroy();
        }
        for (Member m : members) {
            try {
                if (!m.process().waitFor(5, TimeUnit.SECONDS)) {
                    m.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> s = Files.walk(base)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // already gone
        }
    }
}
