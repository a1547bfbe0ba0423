package io.overlaynet.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How a client proves itself to etcd and checks etcd in turn, from a store URL's query:
 * {@code etcds://HOST:PORT[,...]?ca=FILE[&cert=FILE&key=FILE][&user=NAME&password-file=FILE]}.
 * {@code etcds} is TLS: the server's certificate must chain to {@code ca}; {@code cert} and {@code key}
 * are this client's certificate and PKCS#8 key for servers that require one. {@code user} with
 * {@code password-file} is etcd's own authentication (both schemes); the password never sits in the URL,
 * which appears in listings, logs and process arguments.
 */
public record EtcdAccess(boolean tls, Optional<Path> ca, Optional<Path> cert, Optional<Path> key, Optional<String> user,
                         Optional<Path> passwordFile) {
    public static final EtcdAccess PLAIN = new EtcdAccess(false, Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty());

    public EtcdAccess {
        if (!tls && (ca.isPresent() || cert.isPresent() || key.isPresent())) {
            throw new IllegalArgumentException("ca, cert and key go with etcds:// (TLS), not etcd://");
        }
        if (tls && ca.isEmpty()) {
            throw new IllegalArgumentException("etcds:// needs ca=FILE, the certificate authority that signed etcd's "
                    + "certificate");
        }
        if (cert.isPresent() != key.isPresent()) {
            throw new IllegalArgumentException("give cert=FILE and key=FILE together (this client's certificate and key)");
        }
        if (user.isPresent() != passwordFile.isPresent()) {
            throw new IllegalArgumentException("give user=NAME and password-file=FILE together");
        }
        for (Optional<Path> f : java.util.List.of(ca, cert, key, passwordFile)) {
            f.ifPresent(p -> {
                if (!Files.isReadable(p)) {
                    throw new IllegalArgumentException("cannot read " + p + " (named in the store URL)");
                }
            });
        }
    }

    /** The access a URL's query describes ({@code query} without the '?', may be empty). */
    public static EtcdAccess parse(boolean tls, String query) {
        Map<String, String> q = new LinkedHashMap<>();
        if (!query.isEmpty()) {
            for (String kv : query.split("&")) {
                int eq = kv.indexOf('=');
                String k = eq < 0 ? kv : kv.substring(0, eq);
                if (!java.util.Set.of("ca", "cert", "key", "user", "password-file").contains(k) || eq < 0) {
                    throw new IllegalArgumentException("unknown store URL parameter '" + kv + "': use ca=, cert=, key=, "
                            + "user=, password-file=");
                }
                q.put(k, kv.substring(eq + 1));
            }
        }
        return new EtcdAccess(tls, path(q, "ca"), path(q, "cert"), path(q, "key"), Optional.ofNullable(q.get("user")),
                path(q, "password-file"));
    }

    private static Optional<Path> path(Map<String, String> q, String k) {
        return Optional.ofNullable(q.get(k)).map(Path::of);
    }

    /** The password, read when the client is made (a file only root reads, say). */
    String password() {
        try {
            return Files.readString(passwordFile.orElseThrow()).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the etcd password from " + passwordFile.get() + ": "
                    + e.getMessage());
        }
    }

    /** The query that gives this access back, for a URL ({@code ""} when plain). */
    public String query() {
        StringBuilder b = new StringBuilder();
        ca.ifPresent(p -> b.append("&ca=").append(p));
        cert.ifPresent(p -> b.append("&cert=").append(p));
        key.ifPresent(p -> b.append("&key=").append(p));
        user.ifPresent(u -> b.append("&user=").append(u));
        passwordFile.ifPresent(p -> b.append("&password-file=").append(p));
        return b.isEmpty() ? "" : "?" + b.substring(1);
    }
}
