package io.overlaynet.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.overlaynet.dataplane.NetworkConfig;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.netlink.rtnl.Link;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.netlink.rtnl.wire.Rtm;
import io.overlaynet.state.LocalState;
import io.overlaynet.store.StoreException;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * The CNI verbs, run inside the host's agent (the {@code overlaynet-cni} executable only carries the
 * call here). An attachment, keyed by network, container id and interface name, is an ordinary
 * endpoint of the network named after the key ({@link #endpointName}), so the store, IPAM and every
 * other host see it like any other, and nothing else is written: its result is rebuilt from the
 * endpoint's record when asked again, and GC tells attachments apart by their names.
 */
public final class CniPlugin {
    /** Every CNI attachment's endpoint name starts with this. */
    static final String PREFIX = "cni-";
    private final CniHost host;

    public CniPlugin(CniHost host) {
        this.host = host;
    }

    /** What the plugin prints on stdout, and whether it exits 0. */
    public record Answer(boolean ok, String stdout) {
    }

    public Answer handle(CniCall call) {
        String version = "1.1.0";
        try {
            if (call.command().equals("VERSION")) {
                return new Answer(true, version(call));
            }
            version = call.version();
            return switch (call.command()) {
                case "ADD" -> new Answer(true, json(add(call, version)));
                case "DEL" -> {
                    del(call);
                    yield new Answer(true, "");
                }
                case "CHECK" -> {
                    check(call);
                    yield new Answer(true, "");
                }
                case "STATUS" -> {
                    status();
                    yield new Answer(true, "");
                }
                case "GC" -> {
                    gc(call);
                    yield new Answer(true, "");
                }
                default -> throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_COMMAND '" + call.command()
                        + "' is not a CNI verb: use ADD, DEL, CHECK, STATUS, GC or VERSION");
            };
        } catch (CniError e) {
            return new Answer(false, json(CniResult.error(version, e.code(), e.getMessage())));
        } catch (IllegalArgumentException e) {
            return new Answer(false, json(CniResult.error(version, CniError.INVALID_CONFIG, e.getMessage())));
        } catch (StoreException e) {
            return new Answer(false, json(CniResult.error(version, CniError.TRY_AGAIN_LATER, "the store is unreachable ("
                    + e.getMessage() + "): try again later")));
        } catch (RuntimeException e) {
            return new Answer(false, json(CniResult.error(version, CniError.IO_FAILURE, String.valueOf(e.getMessage()))));
        }
    }

    private static String version(CniCall call) {
        ObjectNode r = LocalState.JSON.createObjectNode();
        r.put("cniVersion", call.config().path("cniVersion").asText("1.1.0"));
        CniCall.VERSIONS.forEach(r.putArray("supportedVersions")::add);
        return json(r);
    }

    private JsonNode add(CniCall call, String version) {
        String network = call.network();
        String id = call.require("CNI_CONTAINERID", call.containerId());
        String netns = call.require("CNI_NETNS", call.netns());
        String ifname = call.require("CNI_IFNAME", call.ifname());
        NetworkConfig net = host.network(network).orElseThrow(() -> new CniError(CniError.INVALID_CONFIG,
                "network " + network + " is not in the store: define it with 'overlaynet network create " + network
                        + " --vni N --subnet CIDR --store', or fix \"name\" in the conflist"));
        if (!Files.exists(Path.of(netns))) {
            throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_NETNS " + netns + " does not exist: give the path "
                    + "of the container's network namespace");
        }
        String name = endpointName(id, ifname);
        Optional<EndpointRecord> had = host.find(network, name);
        if (had.isPresent()) {
            if (had.get().namespace().equals(netns)) {
                return CniResult.of(version, had.get(), net); // the same ADD again: the same answer
            }
            host.remove(network, name); // the same key in another namespace: the old attachment is gone
        }
        Optional<InetAddress> ip = call.requestedIp().map(Ip::parseV4);
        ip.ifPresent(net::checkEndpointIp);
        Optional<String> mac = call.requestedMac();
        mac.ifPresent(MacAddress::parse);
        Optional<Integer> mtu = call.mtu();
        if (mtu.isPresent() && mtu.get() > net.mtu()) {
            throw new CniError(CniError.INVALID_CONFIG, "\"mtu\": " + mtu.get() + " is more than network " + network
                    + "'s " + net.mtu() + ": give at most that, or leave it out");
        }
        EndpointRecord e = ip.isPresent() || call.ipamRange().isEmpty()
                ? host.add(network, name, ip, mac, Path.of(netns), ifname)
                : addInRange(call, net, name, mac, netns, ifname);
        mtu.ifPresent(m -> lowerMtu(netns, ifname, m));
        ObjectNode result = CniResult.of(version, e, net);
        mtu.ifPresent(m -> {
            if (result.path("interfaces").get(0).has("mtu")) {
                ((ObjectNode) result.path("interfaces").get(0)).put("mtu", m);
            }
        });
        return result;
    }

    /** The lowest free address of the conflist's range; a race lost to another host tries the next one. */
    private EndpointRecord addInRange(CniCall call, NetworkConfig net, String name, Optional<String> mac, String netns,
                                      String ifname) {
        String[] range = call.ipamRange().orElseThrow();
        InetAddress first = Ip.parseV4(range[0]);
        InetAddress last = Ip.parseV4(range[1]);
        net.checkEndpointIp(first);
        net.checkEndpointIp(last);
        long from = offset(net, first);
        long to = offset(net, last);
        for (int attempt = 0; attempt < 16; attempt++) {
            Set<String> claimed = host.claimed(net.name());
            Optional<InetAddress> free = java.util.stream.LongStream.rangeClosed(from, to)
                    .mapToObj(i -> net.subnet().addressAt(i))
                    .filter(a -> !claimed.contains(a.getHostAddress()) && !a.equals(net.gateway())).findFirst();
            if (free.isEmpty()) {
                throw new CniError(CniError.IO_FAILURE, "no free address left in " + range[0] + "-" + range[1]
                        + " of network " + net.name() + ": widen the conflist's ipam range");
            }
            try {
                return host.add(net.name(), name, free, mac, Path.of(netns), ifname);
            } catch (IllegalArgumentException taken) {
                if (!String.valueOf(taken.getMessage()).contains("already taken")) {
                    throw taken;
                }
            }
        }
        throw new CniError(CniError.TRY_AGAIN_LATER, "could not claim an address in " + range[0] + "-" + range[1]
                + ": too much contention, try again");
    }

    /** An address's place in the network's subnet (0 is the network address). */
    private static long offset(NetworkConfig net, InetAddress a) {
        return Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(a.getAddress()).getInt())
                - Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(net.subnet().address().getAddress()).getInt());
    }

    private static void lowerMtu(String netns, String ifname, int mtu) {
        try (NetNs ns = NetNs.open(Path.of(netns)); Rtnl rt = Rtnl.open(ns)) {
            rt.links().setMtu(ifname, mtu);
        }
    }

    /** DEL succeeds whatever is left: repeated, without a namespace, after a failed ADD. */
    private void del(CniCall call) {
        String id = call.require("CNI_CONTAINERID", call.containerId());
        String ifname = call.ifname() == null || call.ifname().isBlank() ? "eth0" : call.ifname();
        host.remove(call.network(), endpointName(id, ifname));
    }

    private void check(CniCall call) {
        String network = call.network();
        String id = call.require("CNI_CONTAINERID", call.containerId());
        String netns = call.require("CNI_NETNS", call.netns());
        String ifname = call.require("CNI_IFNAME", call.ifname());
        EndpointRecord a = host.find(network, endpointName(id, ifname)).orElseThrow(() -> new CniError(3, "container "
                + id + " has no " + ifname + " on network " + network + " here: ADD it first"));
        NetworkConfig net = host.network(network).orElseThrow(() -> new CniError(CniError.CHECK_FAILED,
                "network " + network + " is no longer in the store"));
        try (NetNs ns = NetNs.open(Path.of(netns)); Rtnl rt = Rtnl.open(ns)) {
            Link link = rt.links().find(ifname).orElseThrow(() -> new CniError(CniError.CHECK_FAILED,
                    "the container has no interface " + ifname));
            IpPrefix want = new IpPrefix(Ip.parse(a.ip()), net.subnet().length());
            if (rt.addresses().list(ifname).stream().noneMatch(x -> x.prefix().equals(want))) {
                throw new CniError(CniError.CHECK_FAILED, ifname + " lacks its address " + want);
            }
            boolean route = rt.routes().list(Rtm.AF_INET).stream().anyMatch(r -> r.destination().isEmpty()
                    && r.gateway().equals(Optional.of(net.gateway())) && r.device().equals(Optional.of(link.index())));
            if (!route) {
                throw new CniError(CniError.CHECK_FAILED, "the container has no default route via "
                        + net.gateway().getHostAddress() + " on " + ifname);
            }
        }
        if (!host.registered(network, a.ip())) {
            throw new CniError(CniError.CHECK_FAILED, "the store has no record of " + a.ip() + " on this host");
        }
    }

    private void status() {
        if (!host.ready()) {
            throw new CniError(CniError.NOT_AVAILABLE, "the overlaynet agent cannot reach its store: ADD would fail; "
                    + "see 'overlaynet status'");
        }
    }

    /** Removes this network's attachments that the runtime no longer lists (the spec's key, or the older one). */
    private void gc(CniCall call) {
        String network = call.network();
        JsonNode valid = call.config().has("cni.dev/valid-attachments") ? call.config().get("cni.dev/valid-attachments")
                : call.config().path("cni.dev/attachments");
        Set<String> keep = new HashSet<>();
        valid.forEach(v -> keep.add(endpointName(v.path("containerID").asText(), v.path("ifname").asText())));
        for (EndpointRecord e : host.endpoints(network)) {
            if (e.name().startsWith(PREFIX) && !keep.contains(e.name())) {
                host.remove(network, e.name());
            }
        }
    }

    /**
     * The endpoint behind an attachment: readable (the container id's start and the interface), and unique
     * (a hash of both), within endpoint names' 64 characters.
     */
    static String endpointName(String id, String ifname) {
        return PREFIX + safe(id, 12) + "-" + hash(id + "\u0000" + ifname) + "-" + safe(ifname, 15);
    }

    private static String safe(String s, int max) {
        String t = s.replaceAll("[^A-Za-z0-9_.-]", "_");
        return t.length() > max ? t.substring(0, max) : t;
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String json(JsonNode n) {
        try {
            return LocalState.JSON.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(n) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
