package io.overlaynet.lab;

import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.state.Trees;
import io.overlaynet.store.EtcdAccess;
import io.overlaynet.store.EtcdStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd (Debian's etcd-server) on 127.0.0.1 with a temporary data directory: one member, or a
 * cluster of several on one machine. Stopped by its own pid; the data directory is removed.
 */
public final class EtcdProcess implements AutoCloseable {
    public record Member(String name, String host, int clientPort, int peerPort, Path dataDir, Process process) {
        public String client() {
            return host + ":" + clientPort;
        }
    }

    private final List<Member> members = new ArrayList<>();
    private final Path base;
    /** Where clients reach every member from (and where {@link #inside} runs). */
    private final Optional<Path> netns;
    /** Clients speak TLS and authenticate (certificate, then user and password once auth is on). */
    private final Optional<LabTls> tls;
    private boolean authOn;

    private EtcdProcess(Path base, Optional<Path> netns, Optional<LabTls> tls) {
        this.base = base;
        this.netns = netns;
        this.tls = tls;
    }

    /** Where one member runs: its namespace (empty: the caller's) and the address it listens on. */
    public record Place(Optional<Path> netns, String ip) {
    }

    /** Starts {@code size} members on 127.0.0.1 forming one cluster and waits until it answers. */
    public static EtcdProcess start(int size, Path base) {
        return start(size, base, Optional.empty(), "127.0.0.1");
    }

    /**
     * Starts members inside a network namespace (the lab's underlay), listening on {@code ip} and on
     * that namespace's 127.0.0.1, so agents in the lab's host namespaces can reach it.
     */
    public static EtcdProcess start(int size, Path base, Optional<Path> netns, String ip) {
        List<Place> places = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            places.add(new Place(netns, ip));
        }
        return start(places, base, netns);
    }

    /**
     * Starts one member at each place (each may have a namespace and address of its own, so that one
     * can be cut off from the others), reached by clients from {@code clientNs}.
     */
    public static EtcdProcess start(List<Place> places, Path base, Optional<Path> clientNs) {
        return start(places, base, clientNs, false);
    }

    /**
     * The same; with {@code tls} the members serve clients over TLS only, require a client certificate
     * signed by the lab's CA ({@link LabTls}, made in {@code base/tls}), and once healthy have etcd's
     * authentication on: clients are user {@value LabTls#USER}, allowed the overlaynet keys alone.
     * The members talk to one another in plain HTTP (the lab's own underlay).
     */
    public static EtcdProcess start(List<Place> places, Path base, Optional<Path> clientNs, boolean tls) {
        Optional<LabTls> creds = tls ? Optional.of(LabTls.make(base.resolve("tls"),
                places.stream().map(Place::ip).toList())) : Optional.empty();
        EtcdProcess e = new EtcdProcess(base, clientNs, creds);
        try {
            List<int[]> ports = new ArrayList<>();
            for (int i = 0; i < places.size(); i++) {
                ports.add(new int[]{freePort(), freePort()});
            }
            StringBuilder cluster = new StringBuilder();
            for (int i = 0; i < places.size(); i++) {
                cluster.append(i == 0 ? "" : ",").append("m").append(i).append("=http://").append(places.get(i).ip())
                        .append(':').append(ports.get(i)[1]);
            }
            for (int i = 0; i < places.size(); i++) {
                e.members.add(e.launch("m" + i, places.get(i), ports.get(i)[0], ports.get(i)[1], cluster.toString()));
            }
            e.awaitHealthy();
            creds.ifPresent(c -> e.inside(() -> {
                try (EtcdStore s = new EtcdStore(e.clients(), e.access(false))) {
                    s.enableAuth(LabTls.USER, c.password(), io.overlaynet.store.Keys.ROOT);
                }
                e.authOn = true;
                return null;
            }));
            return e;
        } catch (RuntimeException ex) {
            e.close();
            throw ex;
        }
    }

    private Member launch(String name, Place at, int client, int peer, String cluster) {
        Path dir = base.resolve(name);
        String ip = at.ip();
        try {
            Files.createDirectories(dir);
            List<String> cmd = new ArrayList<>();
            at.netns().ifPresent(n -> cmd.addAll(List.of("setsid", "nsenter", "--net=" + n)));
            String scheme = tls.isPresent() ? "https://" : "http://";
            String listen = scheme + ip + ":" + client + (ip.equals("127.0.0.1") ? "" : "," + scheme + "127.0.0.1:" + client);
            cmd.addAll(List.of("etcd", "--name", name, "--data-dir", dir.toString(),
                    "--listen-client-urls", listen,
                    "--advertise-client-urls", scheme + ip + ":" + client,
                    "--listen-peer-urls", "http://" + ip + ":" + peer,
                    "--initial-advertise-peer-urls", "http://" + ip + ":" + peer,
                    "--initial-cluster", cluster, "--initial-cluster-state", "new",
                    "--initial-cluster-token", "overlaynet-" + base.getFileName()));
            tls.ifPresent(t -> cmd.addAll(List.of("--cert-file", t.serverCert().toString(), "--key-file",
                    t.serverKey().toString(), "--client-cert-auth", "--trusted-ca-file", t.ca().toString())));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("etcd.log").toFile()).start();
            return new Member(name, ip, client, peer, dir, p);
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
            try {
                inside(() -> {
                    try (EtcdStore s = new EtcdStore(clients(), access(authOn))) {
                        s.list(io.overlaynet.store.Keys.ROOT + "health-check/");
                    }
                    return null;
                });
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

    /**
     * Runs a store client task where etcd is reachable: in its namespace when it has one. The client's
     * network threads are created inside the task and so live in that namespace too.
     */
    public <T> T inside(Callable<T> task) {
        try (NetNs ns = netns.map(NetNs::open).orElseGet(NetNs::current)) {
            return ns.call(task);
        }
    }

    public List<String> clients() {
        return members.stream().filter(m -> m.process().isAlive()).map(Member::client).toList();
    }

    public List<String> allClients() {
        return members.stream().map(Member::client).toList();
    }

    /**
     * The store URL, e.g. {@code etcd://127.0.0.1:23790,127.0.0.1:23791}; with TLS {@code etcds://...} with
     * the CA, the client's certificate and key, the user and its password file.
     */
    public String url() {
        String hosts = String.join(",", allClients());
        return tls.isEmpty() ? "etcd://" + hosts : "etcds://" + hosts + access(true).query();
    }

    /** How a client reaches this etcd: with TLS, its certificate, and (once auth is on) the user. */
    public EtcdAccess access(boolean withUser) {
        if (tls.isEmpty()) {
            return EtcdAccess.PLAIN;
        }
        LabTls t = tls.get();
        return new EtcdAccess(true, Optional.of(t.ca()), Optional.of(t.clientCert()), Optional.of(t.clientKey()),
                withUser ? Optional.of(t.user()) : Optional.empty(), withUser ? Optional.of(t.passwordFile()) : Optional.empty());
    }


    public List<Member> members() {
        return members;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
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
        Trees.remove(base);
    }
}
