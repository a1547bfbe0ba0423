package io.overlaynet.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.state.LocalState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Opens a store from its URL: {@code file:///dir} (or a plain path), {@code etcd://host:port[,host:port]},
 * or {@code etcds://...?ca=FILE&cert=FILE&key=FILE} for TLS; either etcd scheme takes
 * {@code user=NAME&password-file=FILE} ({@link EtcdAccess}).
 */
public final class Stores {
    public static final String DEFAULT = "file:///var/lib/overlaynet/store";

    private Stores() {
    }

    /** The configuration file an operator writes once, e.g. {@code {"store": "etcd://10.0.0.5:2379"}}. */
    public static final Path CONFIG = Path.of("/etc/overlaynet/config.json");

    /** The configuration file in use: {@code $OVERLAYNET_CONFIG}, else {@link #CONFIG}. */
    public static Path configFile() {
        String env = System.getenv("OVERLAYNET_CONFIG");
        return env == null || env.isBlank() ? CONFIG : Path.of(env);
    }

    /** The store named in the configuration file, if the file exists and names one. */
    public static Optional<String> configured() {
        Path f = configFile();
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            JsonNode j = LocalState.JSON.readTree(Files.readString(f));
            return Optional.ofNullable(j.get("store")).filter(JsonNode::isTextual).map(JsonNode::asText)
                    .filter(s -> !s.isBlank());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + f + ": " + e.getMessage().lines().findFirst().orElse("")
                    + ": it should hold {\"store\": \"etcd://HOST:PORT\"}");
        }
    }

    public static Store open(String url) {
        if (url.startsWith("etcd://") || url.startsWith("etcds://")) {
            boolean tls = url.startsWith("etcds://");
            String rest = url.substring(tls ? "etcds://".length() : "etcd://".length());
            int q = rest.indexOf('?');
            EtcdAccess access = EtcdAccess.parse(tls, q < 0 ? "" : rest.substring(q + 1));
            return new EtcdStore(EtcdStore.parseEndpoints(q < 0 ? rest : rest.substring(0, q)), access);
        }
        if (url.startsWith("file://")) {
            String path = url.substring("file://".length());
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("file store URL '" + url + "' needs an absolute path: file:///dir");
            }
            return new FileStore(Path.of(path));
        }
        if (url.startsWith("/")) {
            return new FileStore(Path.of(url));
        }
        throw new IllegalArgumentException("unknown store '" + url + "': use file:///dir, etcd://host:port[,host:port] "
                + "or etcds://host:port?ca=FILE (TLS)");
    }
}
