package io.overlaynet.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.grpc.stub.StreamObserver;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The cluster store: etcd v3 through jetcd ({@code etcd://host:port[,host:port...]}). Leases carry
 * host liveness, create-if-absent is a transaction on version 0, and watches resume from a revision
 * and fall back to a full relist (a {@link Store.Event.Reset}) when that revision was compacted or the
 * stream broke.
 */
public final class EtcdStore implements Store {
    private static final long TIMEOUT_S = 5;
    private static final long RESYNC_TIMEOUT_S = 1;
    private final Client client;
    private final KV kv;
    private final String endpoints;
    private final EtcdAccess access;

    public EtcdStore(List<String> hostPorts) {
        this(hostPorts, EtcdAccess.PLAIN);
    }

    /** A client that speaks TLS and authenticates as {@code access} says. */
    public EtcdStore(List<String> hostPorts, EtcdAccess access) {
        this.endpoints = String.join(",", hostPorts);
        this.access = access;
        String scheme = access.tls() ? "https://" : "http://";
        var b = Client.builder().endpoints(hostPorts.stream().map(h -> scheme + h).toArray(String[]::new))
                .connectTimeout(Duration.ofSeconds(1)).keepaliveTime(Duration.ofSeconds(2))
                .keepaliveTimeout(Duration.ofSeconds(1)).keepaliveWithoutCalls(true);
        if (access.tls()) {
            try {
                b = b.sslContext(ssl -> {
                    ssl.trustManager(access.ca().orElseThrow().toFile());
                    access.cert().ifPresent(c -> ssl.keyManager(c.toFile(), access.key().orElseThrow().toFile()));
                });
            } catch (javax.net.ssl.SSLException | RuntimeException e) {
                throw new IllegalArgumentException("cannot use the TLS files of the store URL: " + rootMessage(e), e);
            }
        }
        if (access.user().isPresent()) {
            b = b.user(bytes(access.user().get())).password(bytes(access.password()));
        }
        this.client = b.build();
        this.kv = client.getKVClient();
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static String string(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    private <T> T await(CompletableFuture<T> f, String what) {
        return await(f, what, TIMEOUT_S);
    }

    private <T> T await(CompletableFuture<T> f, String what, long seconds) {
        try {
            return f.get(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(what + " on " + describe() + ": interrupted");
        } catch (ExecutionException e) {
            throw new StoreException(what + " on " + describe() + ": " + rootMessage(e.getCause()));
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new StoreException(what + " on " + describe() + ": no answer within " + seconds + " s ("
                    + (access.tls() ? "is etcd running, does it accept this client's certificate, and does the CA given "
                    + "sign its own?)" : "is etcd running? if it serves TLS, use etcds://HOST:PORT?ca=FILE)"));
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    @Override
    public Optional<Entry> get(String key) {
        GetResponse r = await(kv.get(bytes(key)), "get " + key);
        return r.getKvs().stream().findFirst().map(EtcdStore::entry);
    }

    private static Entry entry(KeyValue k) {
        return new Entry(string(k.getKey()), string(k.getValue()), k.getModRevision());
    }

    @Override
    public Snapshot list(String prefix) {
        GetResponse r = await(kv.get(bytes(prefix), GetOption.builder().isPrefix(true).build()), "list " + prefix);
        return new Snapshot(r.getKvs().stream().map(EtcdStore::entry).toList(), r.getHeader().getRevision());
    }

    @Override
    public void put(String key, String value) {
        await(kv.put(bytes(key), bytes(value)), "put " + key);
    }

    /** etcd's default limit on operations in one transaction. */
    private static final int TXN_OPS = 128;

    @Override
    public void putAll(Map<String, String> entries) {
        List<Op> ops = new ArrayList<>();
        for (var e : entries.entrySet()) {
            ops.add(Op.put(bytes(e.getKey()), bytes(e.getValue()), PutOption.DEFAULT));
            if (ops.size() == TXN_OPS) {
                commit(ops);
            }
        }
        commit(ops);
    }

    /** One transaction of puts; empties the list. */
    private void commit(List<Op> ops) {
        if (!ops.isEmpty()) {
            await(kv.txn().Then(ops.toArray(Op[]::new)).commit(), "put " + ops.size() + " keys");
            ops.clear();
        }
    }

    @Override
    public void put(String key, String value, Lease lease) {
        await(kv.put(bytes(key), bytes(value), PutOption.builder().withLeaseId(lease.id()).build()), "put " + key);
    }

    @Override
    public boolean create(String key, String value, Optional<Lease> lease) {
        PutOption opt = lease.map(l -> PutOption.builder().withLeaseId(l.id()).build()).orElse(PutOption.DEFAULT);
        return await(kv.txn().If(new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(bytes(key), bytes(value), opt)).commit(), "create " + key).isSucceeded();
    }

    @Override
    public boolean delete(String key) {
        return await(kv.delete(bytes(key)), "delete " + key).getDeleted() > 0;
    }

    @Override
    public Lease grant(Duration ttl) {
        long id = await(client.getLeaseClient().grant(Math.max(1, ttl.toSeconds())), "lease grant").getID();
        return new EtcdLease(id);
    }

    @Override
    public Optional<Duration> leaseLeft(long leaseId) {
        long left = await(client.getLeaseClient().timeToLive(leaseId, LeaseOption.DEFAULT), "lease ttl").getTTL();
        return left > 0 ? Optional.of(Duration.ofSeconds(left)) : Optional.empty();
    }

    @Override
    public Optional<Lease> resume(long leaseId, Duration ttl) {
        long left = await(client.getLeaseClient().timeToLive(leaseId, LeaseOption.DEFAULT), "lease ttl").getTTL();
        return left > 0 ? Optional.of(new EtcdLease(leaseId)) : Optional.empty();
    }

    private final class EtcdLease implements Lease {
        private final long id;
        private final CloseableClient keepAlive;

        EtcdLease(long id) {
            this.id = id;
            this.keepAlive = client.getLeaseClient().keepAlive(id, new StreamObserver<LeaseKeepAliveResponse>() {
                public void onNext(LeaseKeepAliveResponse value) {
                }

                public void onError(Throwable t) {
                    // jetcd retries keep-alives on its own; liveness shows in the host record
                }

                public void onCompleted() {
                }
            });
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public void revoke() {
            keepAlive.close();
            await(client.getLeaseClient().revoke(id), "lease revoke");
        }

        @Override
        public void close() {
            keepAlive.close();
        }
    }

    @Override
    public Watch watch(String prefix, long afterRevision, Consumer<Event> listener) {
        return new EtcdWatch(prefix, afterRevision, listener);
    }

    /** A watch that restarts itself: from the next revision when it can, with a full relist when it must. */
    private final class EtcdWatch implements Watch {
        private final String prefix;
        private final Consumer<Event> listener;
        private volatile boolean closed;
        private volatile long lastRevision;
        /** Bumped for every new stream: an old stream's late errors or completion must not restart us again. */
        private final AtomicInteger generation = new AtomicInteger();
        private io.etcd.jetcd.Watch.Watcher watcher;

        EtcdWatch(String prefix, long afterRevision, Consumer<Event> listener) {
            this.prefix = prefix;
            this.listener = listener;
            if (afterRevision > 0) {
                lastRevision = afterRevision;
                start();
            } else {
                resync();
            }
        }

        /**
         * Lists everything again, then watches from there. A member cut off from its cluster cannot
         * answer a linearizable read: each attempt waits a second at most, and the next one goes to
         * another member (the client takes turns among them).
         */
        private synchronized void resync() {
            while (!closed) {
                try {
                    GetResponse r = await(kv.get(bytes(prefix), GetOption.builder().isPrefix(true).build()),
                            "list " + prefix, RESYNC_TIMEOUT_S);
                    Snapshot s = new Snapshot(r.getKvs().stream().map(EtcdStore::entry).toList(),
                            r.getHeader().getRevision());
                    lastRevision = s.revision();
                    listener.accept(new Event.Reset(s));
                    start();
                    return;
                } catch (StoreException e) {
                    sleep(100);
                }
            }
        }

        private synchronized void start() {
            if (closed) {
                return;
            }
            // require-leader: a member cut off from its cluster ends the stream instead of going quiet, so
            // the watch moves to a member that has a leader; progress notifications keep a quiet stream
            // carrying the revision, so a resume after an error starts from a recent one.
            WatchOption opt = WatchOption.builder().isPrefix(true).withRevision(lastRevision + 1)
                    .withRequireLeader(true).withProgressNotify(true).build();
            int mine = generation.incrementAndGet();
            watcher = client.getWatchClient().watch(bytes(prefix), opt, new io.etcd.jetcd.Watch.Listener() {
                public void onNext(WatchResponse r) {
                    if (generation.get() != mine) {
                        return;
                    }
                    if (r.getEvents().isEmpty() && r.getHeader() != null) {
                        lastRevision = Math.max(lastRevision, r.getHeader().getRevision()); // a progress notification
                    }
                    for (WatchEvent e : r.getEvents()) {
                        KeyValue k = e.getKeyValue();
                        lastRevision = Math.max(lastRevision, k.getModRevision());
                        if (e.getEventType() == WatchEvent.EventType.PUT) {
                            listener.accept(new Event.Put(entry(k)));
                        } else if (e.getEventType() == WatchEvent.EventType.DELETE) {
                            listener.accept(new Event.Deleted(string(k.getKey()), k.getModRevision()));
                        }
                    }
                }

                public void onError(Throwable t) {
                    restartAfterError(mine);
                }

                public void onCompleted() {
                    restartAfterError(mine);
                }
            });
        }

        private void restartAfterError(int failed) {
            // Only the current stream may restart the watch, and only once.
            if (closed || !generation.compareAndSet(failed, failed + 1)) {
                return;
            }
            Thread.ofPlatform().daemon(true).name("etcd-watch-resync").start(() -> {
                synchronized (this) {
                    if (watcher != null) {
                        watcher.close();
                    }
                }
                sleep(200);
                // A compacted revision or a broken stream: we cannot know what we missed, so relist.
                resync();
            });
        }

        private void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public synchronized void close() {
            closed = true;
            if (watcher != null) {
                watcher.close();
            }
        }
    }

    /**
     * Turns on etcd's authentication (run as an administrator, before it is on): a {@code root} user with
     * the password given, and {@code user} with the same password holding read and write on
     * {@code prefix} alone.
     */
    public void enableAuth(String user, String password, String prefix) {
        io.etcd.jetcd.Auth auth = client.getAuthClient();
        ByteSequence role = bytes(user);
        ByteSequence pw = bytes(password);
        await(auth.roleAdd(role), "role add");
        await(auth.roleGrantPermission(role, bytes(prefix), bytes(prefixEnd(prefix)),
                io.etcd.jetcd.auth.Permission.Type.READWRITE), "role grant");
        await(auth.userAdd(bytes(user), pw), "user add");
        await(auth.userGrantRole(bytes(user), role), "user grant");
        await(auth.roleAdd(bytes("root")), "role add root");
        await(auth.userAdd(bytes("root"), pw), "user add root");
        await(auth.userGrantRole(bytes("root"), bytes("root")), "user grant root");
        await(auth.authEnable(), "auth enable");
    }

    /** Takes {@code user}'s read and write on {@code prefix} away (as root): the store refuses it from then on. */
    public void revoke(String user, String prefix) {
        await(client.getAuthClient().roleRevokePermission(bytes(user), bytes(prefix), bytes(prefixEnd(prefix))),
                "role revoke");
    }

    /** The first key after every key that starts with {@code prefix}. */
    private static String prefixEnd(String prefix) {
        char last = prefix.charAt(prefix.length() - 1);
        return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
    }

    /** Compacts history up to the current revision (tests of watch resync). */
    public long compact() {
        long rev = list("/").revision();
        await(kv.compact(rev), "compact");
        return rev;
    }

    @Override
    public String describe() {
        return (access.tls() ? "etcds://" : "etcd://") + endpoints + access.user().map(u -> " as " + u).orElse("");
    }

    @Override
    public void close() {
        client.close();
    }

    static List<String> parseEndpoints(String spec) {
        List<String> out = new ArrayList<>();
        for (String hp : spec.split(",")) {
            String t = hp.trim();
            if (!t.matches("[A-Za-z0-9.\\-\\[\\]:]+:\\d{1,5}")) {
                throw new IllegalArgumentException("bad etcd endpoint '" + t + "': use host:port, e.g. 127.0.0.1:2379");
            }
            out.add(t);
        }
        return out;
    }
}
