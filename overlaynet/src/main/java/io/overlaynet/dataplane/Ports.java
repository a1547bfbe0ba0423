package io.overlaynet.dataplane;

import io.overlaynet.dataplane.Records.NetworkRecord;

import java.util.List;

/**
 * Ports published on this host's address and sent on to containers (Docker's {@code -p} through the
 * network driver): kept under {@code ports/} in the host's state, and written as DNAT rules into the
 * egress table ({@link Egress}), which carries the replies back out.
 */
public final class Ports {
    private final Host host;

    public Ports(Host host) {
        this.host = host;
    }

    /**
     * One published port.
     *
     * @param proto 6 (TCP) or 17 (UDP)
     */
    public record PortMap(String network, int proto, int hostPort, String ip, int port) {
        public PortMap {
            if (proto != 6 && proto != 17) {
                throw new IllegalArgumentException("protocol " + proto + " cannot be published: TCP or UDP");
            }
            if (hostPort < 1 || hostPort > 65535 || port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + hostPort + " -> " + port + " is out of range 1..65535");
            }
        }
    }

    /** Publishes an endpoint's ports (replacing what it had), rewriting the host's table. */
    public void publish(String key, List<PortMap> ports) {
        for (PortMap p : ports) {
            NetworkRecord n = new Networks(host).get(p.network());
            if (!n.egress()) {
                throw new IllegalArgumentException("network " + n.name() + " has no egress: its ports cannot be published");
            }
        }
        host.state().write(path(key), new Published(ports));
        Egress.sync(host, new Networks(host).list());
    }

    /** Withdraws an endpoint's published ports. */
    public void unpublish(String key) {
        if (host.state().delete(path(key))) {
            Egress.sync(host, new Networks(host).list());
        }
    }

    /** Every port published on this host. */
    List<PortMap> all() {
        return host.state().list("ports", Published.class).stream().flatMap(p -> p.ports().stream()).toList();
    }

    /** What one endpoint published. */
    record Published(List<PortMap> ports) {
    }

    private static String path(String key) {
        if (!key.matches("[A-Za-z0-9_.-]{1,128}")) {
            throw new IllegalArgumentException("invalid publication key '" + key + "'");
        }
        return "ports/" + key + ".json";
    }
}
