package io.overlaynet.store;

import java.nio.file.Path;

/** Opens a store from its URL: {@code file:///dir} (or a plain path) or {@code etcd://host:port[,host:port]}. */
public final class Stores {
    public static final String DEFAULT = "file:///var/lib/overlaynet/store";

    private Stores() {
    }

    public static Store open(String url) {
        if (url.startsWith("etcd://")) {
            return new EtcdStore(EtcdStore.parseEndpoints(url.substring("etcd://".length())));
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
        throw new IllegalArgumentException("unknown store '" + url + "': use file:///dir or etcd://host:port[,host:port]");
    }
}
