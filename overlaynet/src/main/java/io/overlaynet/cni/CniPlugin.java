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
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The CNI verbs, run inside the host's agent (the {@code overlaynet-cni} executable only carries the
 * call here). An attachment is keyed by network, container id and interface name, recorded under
 * {@code cni/<network>/} in the host's state directory with the result ADD gave, and backed by an
 * ordinary endpoint of the network (named after the key), so the store, IPAM and every other host see
 * it like any other.
 */
public final class CniPlugin {
    private final CniHost host;

    public CniPlugin(CniHost host) {
        this.host = host;
    }

    /** What the plugin prints on stdout, and whether it exits 0. */
    public record Answer(boolean ok, String stdout) {
    }

    /** An attachment as recorded: which endpoint backs it, and the result ADD gave. */
    public record Attachment(String network, String containerId, String ifname, String endpoint, String netns,
                             String ip, JsonNode result) {
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
        Optional<Attachment> had = find(network, id, ifname);
        if (had.isPresent()) {
            if (had.get().netns().equals(netns)) {
                return had.get().result(); // the same ADD again: the same answer
            }
            del(call); // the same key in another namespace: the old attachment is gone
        }
        Optional<InetAddress> ip = call.requestedIp().map(Ip::parseV4);
        ip.ifPresent(net::checkEndpointIp);
        Optional<String> mac = call.requestedMac();
        mac.ifPresent(MacAddress::parse);
        String name = endpointName(id, ifname);
        EndpointRecord e = host.add(network, name, ip, mac, Path.of(netns), ifname);
        ObjectNode result = CniResult.of(version, e, net);
        host.state().write(path(network, id, ifname), new Attachment(network, id, ifname, name, netns, e.ip(), result));
        return result;
    }

    /** DEL succeeds whatever is left: repeated, without a namespace, after a failed ADD. */
    private void del(CniCall call) {
        String network = call.network();
        String id = call.require("CNI_CONTAINERID", call.containerId());
        String ifname = call.ifname() == null || call.ifname().isBlank() ? "eth0" : call.ifname();
        Optional<Attachment> a = find(network, id, ifname);
        // Also when ADD failed before the attachment was recorded: its endpoint has the key's name.
        host.remove(network, a.map(Attachment::endpoint).orElse(endpointName(id, ifname)));
        host.state().delete(path(network, id, ifname));
    }

    private void check(CniCall call) {
        String network = call.network();
        String id = call.require("CNI_CONTAINERID", call.containerId());
        String netns = call.require("CNI_NETNS", call.netns());
        String ifname = call.require("CNI_IFNAME", call.ifname());
        Attachment a = find(network, id, ifname).orElseThrow(() -> new CniError(3, "container " + id + " has no "
                + ifname + " on network " + network + " here: ADD it first"));
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

    /** Removes this network's attachments that the runtime no longer knows (the spec's and the older key). */
    private void gc(CniCall call) {
        String network = call.network();
        JsonNode valid = call.config().has("cni.dev/valid-attachments") ? call.config().get("cni.dev/valid-attachments")
                : call.config().path("cni.dev/attachments");
        Set<String> keep = new HashSet<>();
        valid.forEach(v -> keep.add(v.path("containerID").asText() + "\u0000" + v.path("ifname").asText()));
        for (Attachment a : host.state().list("cni/" + network, Attachment.class)) {
            if (!keep.contains(a.containerId() + "\u0000" + a.ifname())) {
                host.remove(network, a.endpoint());
                host.state().delete(path(network, a.containerId(), a.ifname()));
            }
        }
    }

    /** Every attachment recorded on this host, of every network. */
    public List<Attachment> attachments() {
        return host.state().names("cni").stream().flatMap(n -> host.state().list("cni/" + n, Attachment.class).stream())
                .toList();
    }

    private Optional<Attachment> find(String network, String id, String ifname) {
        return host.state().read(path(network, id, ifname), Attachment.class);
    }

    private static String path(String network, String id, String ifname) {
        return "cni/" + network + "/" + key(id, ifname) + ".json";
    }

    private static String key(String id, String ifname) {
        return safe(id, 64) + "_" + hash(id + "\u0000" + ifname);
    }

    /**
     * The endpoint behind an attachment: readable (the container id's start and the interface), and unique
     * (a hash of both), within endpoint names' 64 characters.
     */
    static String endpointName(String id, String ifname) {
        return "cni-" + safe(id, 12) + "-" + hash(id + "\u0000" + ifname) + "-" + safe(ifname, 15);
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
