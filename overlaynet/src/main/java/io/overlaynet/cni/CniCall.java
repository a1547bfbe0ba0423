package io.overlaynet.cni;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.state.LocalState;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One invocation of the plugin as the runtime made it: the CNI_* variables and the network
 * configuration it wrote on stdin, parsed and checked.
 *
 * @param args CNI_ARGS as key/value pairs ({@code IP=10.0.0.5;MAC=...;K8S_POD_NAME=...})
 */
public record CniCall(String command, String containerId, String netns, String ifname, Map<String, String> args,
                      JsonNode config) {

    /** The CNI versions this plugin speaks (results are written in the one the configuration names). */
    public static final List<String> VERSIONS = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");

    /** Parses a call; an undecodable configuration or CNI_ARGS is a {@link CniError}. */
    public static CniCall parse(String command, String containerId, String netns, String ifname, String args,
                                byte[] config) {
        JsonNode c;
        try {
            c = config.length == 0 ? LocalState.JSON.createObjectNode() : LocalState.JSON.readTree(config);
        } catch (IOException e) {
            throw new CniError(CniError.DECODE_FAILURE, "the network configuration on stdin is not JSON ("
                    + e.getMessage().lines().findFirst().orElse("") + "): check the conflist in /etc/cni/net.d");
        }
        if (c == null || !c.isObject()) {
            throw new CniError(CniError.DECODE_FAILURE, "the network configuration on stdin is not a JSON object: "
                    + "check the conflist in /etc/cni/net.d");
        }
        return new CniCall(command, containerId, netns, ifname, parseArgs(args), c);
    }

    static Map<String, String> parseArgs(String args) {
        Map<String, String> out = new LinkedHashMap<>();
        if (args == null || args.isBlank()) {
            return out;
        }
        for (String kv : args.split(";")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_ARGS '" + args
                        + "' is not KEY=VALUE pairs separated by ';'");
            }
            out.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return out;
    }

    /** The CNI version the configuration asks for; a missing or unknown one is an error (code 1). */
    public String version() {
        String v = config.path("cniVersion").asText("");
        if (v.isEmpty()) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, "the network configuration has no cniVersion: "
                    + "give one of " + String.join(", ", VERSIONS));
        }
        if (!VERSIONS.contains(v)) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, "cniVersion " + v + " is not supported: use one of "
                    + String.join(", ", VERSIONS));
        }
        return v;
    }

    /** The network: the configuration's "name" (the conflist's), which is an overlaynet network in the store. */
    public String network() {
        String n = config.path("name").asText("");
        if (n.isEmpty()) {
            throw new CniError(CniError.INVALID_CONFIG, "the network configuration has no \"name\": it names the "
                    + "overlaynet network to join");
        }
        return n;
    }

    /** A CNI_* variable the verb cannot do without. */
    public String require(String variable, String value) {
        if (value == null || value.isBlank()) {
            throw new CniError(CniError.INVALID_ENVIRONMENT, variable + " is not set: the runtime must give it for "
                    + command);
        }
        return value;
    }

    /**
     * The address asked for: CNI_ARGS {@code IP=}, else runtimeConfig {@code ips} (the "ips" capability),
     * else {@code args.cni.ips}; any prefix length is dropped (the network's subnet decides it).
     */
    public Optional<String> requestedIp() {
        Optional<String> ip = Optional.ofNullable(args.get("IP")).filter(s -> !s.isBlank())
                .or(() -> first(config.path("runtimeConfig").path("ips")))
                .or(() -> first(config.path("args").path("cni").path("ips")));
        return ip.map(s -> s.contains("/") ? s.substring(0, s.indexOf('/')) : s);
    }

    /** The MAC asked for: CNI_ARGS {@code MAC=}, else runtimeConfig {@code mac}, else {@code args.cni.mac}. */
    public Optional<String> requestedMac() {
        return Optional.ofNullable(args.get("MAC")).filter(s -> !s.isBlank())
                .or(() -> text(config.path("runtimeConfig").path("mac")))
                .or(() -> text(config.path("args").path("cni").path("mac")));
    }

    /** The conflist's {@code "mtu"}, if it sets one. */
    public Optional<Integer> mtu() {
        JsonNode m = config.path("mtu");
        if (m.isMissingNode() || m.isNull()) {
            return Optional.empty();
        }
        if (!m.canConvertToInt() || m.asInt() < 68) {
            throw new CniError(CniError.INVALID_CONFIG, "\"mtu\": " + m + " is not an MTU: give a number of at least 68");
        }
        return Optional.of(m.asInt());
    }

    /** The conflist's {@code "ipam": {"rangeStart", "rangeEnd"}}: where addresses are handed out from. */
    public Optional<String[]> ipamRange() {
        JsonNode ipam = config.path("ipam");
        String start = ipam.path("rangeStart").asText("");
        String end = ipam.path("rangeEnd").asText("");
        if (start.isEmpty() && end.isEmpty()) {
            return Optional.empty();
        }
        if (start.isEmpty() || end.isEmpty()) {
            throw new CniError(CniError.INVALID_CONFIG, "\"ipam\" needs both rangeStart and rangeEnd");
        }
        return Optional.of(new String[]{start, end});
    }

    private static Optional<String> first(JsonNode array) {
        return array.isArray() && !array.isEmpty() ? text(array.get(0)) : Optional.empty();
    }

    private static Optional<String> text(JsonNode n) {
        return n.isTextual() && !n.asText().isBlank() ? Optional.of(n.asText()) : Optional.empty();
    }
}
