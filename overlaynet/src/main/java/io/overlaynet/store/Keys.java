package io.overlaynet.store;

import java.util.Optional;

/**
 * The key layout shared by every store:
 * <pre>
 * /overlaynet/networks/&lt;network&gt;          {"vni":42,"subnet":"12.12.12.0/24","mtu":1450,...}
 * /overlaynet/hosts/&lt;host&gt;                {"vtep":"192.168.104.2","mac":"..."}          (under the host's lease)
 * /overlaynet/endpoints/&lt;network&gt;/&lt;ip&gt;    {"mac":"02:42:...","host":"node1","vtep":"192.168.104.2"}  (same lease)
 * /overlaynet/hints/&lt;to&gt;/&lt;from&gt;/&lt;network&gt;  {}   (reactive mode, under the sender's lease)
 * </pre>
 * An endpoint key doubles as the address claim: it is created only if absent, so two hosts can never
 * hold the same IP.
 */
public final class Keys {
    public static final String ROOT = "/overlaynet/";
    public static final String NETWORKS = ROOT + "networks/";
    public static final String HOSTS = ROOT + "hosts/";
    public static final String ENDPOINTS = ROOT + "endpoints/";
    /** Reactive mode: "host T, program my endpoints of network N now" ({@code hints/<T>/<from>/<N>}). */
    public static final String HINTS = ROOT + "hints/";

    private Keys() {
    }

    public static String network(String name) {
        return NETWORKS + name;
    }

    public static String host(String name) {
        return HOSTS + name;
    }

    public static String endpoints(String network) {
        return ENDPOINTS + network + "/";
    }

    public static String endpoint(String network, String ip) {
        return ENDPOINTS + network + "/" + ip;
    }

    /** A hint: host {@code from} asks host {@code to} to program its endpoints of {@code network} now. */
    public record Hint(String to, String from, String network) {
        public String key() {
            return HINTS + to + "/" + from + "/" + network;
        }
    }

    /** The hint a key under {@link #HINTS} names, if it is well formed. */
    public static Optional<Hint> parseHint(String key) {
        if (!key.startsWith(HINTS)) {
            return Optional.empty();
        }
        String[] p = key.substring(HINTS.length()).split("/");
        return p.length == 3 ? Optional.of(new Hint(p[0], p[1], p[2])) : Optional.empty();
    }

    /** The last path element of a key. */
    public static String leaf(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    /** The network of an endpoint key, e.g. "demo" for /overlaynet/endpoints/demo/12.12.12.2. */
    public static String endpointNetwork(String key) {
        String rest = key.substring(ENDPOINTS.length());
        return rest.substring(0, rest.indexOf('/'));
    }
}
