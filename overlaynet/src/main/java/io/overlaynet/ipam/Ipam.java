package io.overlaynet.ipam;

import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.state.LocalState;

import java.io.IOException;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Cluster-wide address allocation. An address is taken by creating its endpoint key
 * ({@code /overlaynet/endpoints/<network>/<ip>}) only if absent, in one atomic step in the store, so the
 * claim and the endpoint's registration are the same write and no two hosts can ever hold one address.
 * Never hands out the network, gateway or broadcast address.
 */
public final class Ipam {
    private static final int MAX_ROUNDS = 64;
    private final Store store;

    public Ipam(Store store) {
        this.store = store;
    }

    /**
     * Claims {@code requested}, or the lowest free address, writing {@code record} (the endpoint's JSON) as
     * the claim's value, under {@code lease} when given.
     *
     * @throws IllegalArgumentException when the requested address is taken, outside the subnet or reserved
     * @throws IllegalStateException    when the subnet is full
     */
    public InetAddress allocate(String network, IpPrefix subnet, InetAddress gateway, Optional<InetAddress> requested,
                                Function<InetAddress, String> record, Optional<Store.Lease> lease) {
        IpPrefix net = subnet.network();
        if (requested.isPresent()) {
            InetAddress ip = requested.get();
            checkUsable(net, gateway, ip);
            if (!claim(network, ip, record.apply(ip), lease)) {
                throw taken(network, ip);
            }
            return ip;
        }
        long size = 1L << (32 - net.length());
        for (int round = 0; round < MAX_ROUNDS; round++) {
            Set<String> claimed = new HashSet<>();
            store.list(Keys.endpoints(network)).entries().forEach(e -> claimed.add(Keys.leaf(e.key())));
            boolean raced = false;
            for (long i = 1; i < size - 1; i++) {
                InetAddress ip = net.addressAt(i);
                if (ip.equals(gateway) || claimed.contains(ip.getHostAddress())) {
                    continue;
                }
                if (store.create(Keys.endpoint(network, ip.getHostAddress()), record.apply(ip), lease)) {
                    return ip;
                }
                raced = true; // another host took it between our listing and our claim
                break;
            }
            if (!raced) {
                throw new IllegalStateException("network " + network + " (" + net + ") has no free address left");
            }
        }
        throw new IllegalStateException("could not claim an address in network " + network + " after " + MAX_ROUNDS
                + " attempts: too much contention");
    }

    /** Claims one address: creates its endpoint key with {@code record} if absent; false when it is taken. */
    public boolean claim(String network, InetAddress ip, String record, Optional<Store.Lease> lease) {
        return store.create(Keys.endpoint(network, ip.getHostAddress()), record, lease);
    }

    /** The error for an address someone holds, naming the holder. */
    public IllegalArgumentException taken(String network, InetAddress ip) {
        String holder = store.get(Keys.endpoint(network, ip.getHostAddress())).map(e -> holder(e.value()))
                .orElse("another endpoint");
        return new IllegalArgumentException("IP " + ip.getHostAddress() + " in network " + network
                + " is already taken by " + holder + ": pick another address, or leave it out to get a free one");
    }

    /** The lowest address of the subnet that is not network, gateway, broadcast or in {@code claimed}. */
    public static Optional<InetAddress> firstFree(IpPrefix subnet, InetAddress gateway, Set<String> claimed) {
        IpPrefix net = subnet.network();
        long size = 1L << (32 - net.length());
        for (long i = 1; i < size - 1; i++) {
            InetAddress ip = net.addressAt(i);
            if (!ip.equals(gateway) && !claimed.contains(ip.getHostAddress())) {
                return Optional.of(ip);
            }
        }
        return Optional.empty();
    }

    /** Who holds a claim, from its record: "endpoint web on node2, vtep 192.168.104.3". */
    static String holder(String record) {
        try {
            JsonNode j = LocalState.JSON.readTree(record);
            return "endpoint " + j.path("name").asText("?") + " on " + j.path("host").asText("?") + ", vtep "
                    + j.path("vtep").asText("?");
        } catch (IOException | RuntimeException bad) {
            return "a record that does not parse";
        }
    }

    /** Gives an address back (the endpoint key is deleted). */
    public boolean release(String network, InetAddress ip) {
        return store.delete(Keys.endpoint(network, ip.getHostAddress()));
    }

    /** Refuses an address outside the subnet, or its network, broadcast or gateway address. */
    public static void checkUsable(IpPrefix subnet, InetAddress gateway, InetAddress ip) {
        IpPrefix net = subnet.network();
        if (!net.contains(ip)) {
            throw new IllegalArgumentException("IP " + ip.getHostAddress() + " is outside subnet " + net);
        }
        if (ip.equals(net.address()) || ip.equals(net.broadcast()) || ip.equals(gateway)) {
            throw new IllegalArgumentException("IP " + Ip.format(ip) + " is the network, broadcast or gateway address of "
                    + net);
        }
    }
}
