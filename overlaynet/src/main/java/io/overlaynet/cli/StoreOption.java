package io.overlaynet.cli;

import io.overlaynet.store.Stores;
import picocli.CommandLine.Option;

import java.util.Optional;

/**
 * {@code --store [URL]}: act on the cluster through its store instead of on this host. Given alone,
 * it means the store named in the configuration file ({@code /etc/overlaynet/config.json}, or
 * {@code $OVERLAYNET_CONFIG}), so the URL is not typed every time.
 */
final class StoreOption {
    @Option(names = "--store", arity = "0..1", paramLabel = "STORE", fallbackValue = "",
            description = {"The cluster's store: file:///dir or etcd://host:port[,host:port].",
                "Alone: the store in /etc/overlaynet/config.json ({\"store\": URL}; env OVERLAYNET_CONFIG)."})
    Optional<String> store = Optional.empty();

    boolean given() {
        return store.isPresent();
    }

    /** The URL given, or the configured one; a one-line error when neither is there. */
    String url() {
        return store.filter(s -> !s.isBlank()).or(Stores::configured).orElseThrow(() -> new IllegalArgumentException(
                "no store given and none configured in " + Stores.configFile() + ": give --store URL, or write "
                        + "{\"store\": \"etcd://HOST:PORT\"} there"));
    }
}
