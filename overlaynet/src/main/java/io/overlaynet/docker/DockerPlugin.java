package io.overlaynet.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.overlaynet.dataplane.Endpoints;
import io.overlaynet.dataplane.NetworkConfig;
import io.overlaynet.dataplane.Ports;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.state.LocalState;

import java.net.InetAddress;
import java.util.Optional;

/**
 * Docker's remote network driver and IPAM driver protocols (libnetwork's plugin API), answered by the
 * host's agent. {@code docker network create -d NAME --ipam-driver NAME --subnet CIDR -o vni=N NET} on
 * each host maps to one overlaynet network of the store (the one with that VNI, else a new one named
 * {@code -o name=} or {@code docker-<vni>}); addresses are claimed cluster-wide; Join hands Docker a veth
 * end to move into the container. Docker's network and endpoint ids are mapped to overlaynet's names in
 * the host's state directory ({@code docker/}).
 */
public final class DockerPlugin {
    private static final String GATEWAY_REQUEST = "com.docker.network.gateway";
    private final DockerHost host;

    public DockerPlugin(DockerHost host) {
        this.host = host;
    }

    /** Docker's network as overlaynet knows it. */
    public record NetworkMap(String dockerId, String network) {
    }

    /** Docker's endpoint as overlaynet knows it. */
    public record EndpointMap(String dockerId, String networkId, String network, String name, String ip, String mac) {
    }

    /** A call Docker made: the method (the path without its slash) and its JSON body; the answer. */
    public ObjectNode handle(String method, JsonNode req) {
        ObjectNode out = LocalState.JSON.createObjectNode();
        switch (method) {
            case "Plugin.Activate" -> out.putArray("Implements").add("NetworkDriver").add("IpamDriver");
            case "NetworkDriver.GetCapabilities" -> out.put("Scope", "local").put("ConnectivityScope", "global");
            case "NetworkDriver.CreateNetwork" -> createNetwork(req);
            case "NetworkDriver.DeleteNetwork" -> host.state().delete(networkPath(req.path("NetworkID").asText()));
            case "NetworkDriver.CreateEndpoint" -> createEndpoint(req, out);
            case "NetworkDriver.Join" -> join(req, out);
            case "NetworkDriver.Leave", "NetworkDriver.DiscoverNew", "NetworkDriver.DiscoverDelete",
                 "IpamDriver.ReleasePool" -> {
            }
            case "NetworkDriver.ProgramExternalConnectivity" -> publish(req);
            case "NetworkDriver.RevokeExternalConnectivity" -> host.unpublish(safe(req.path("EndpointID").asText()));
            case "NetworkDriver.DeleteEndpoint" -> deleteEndpoint(req);
            case "NetworkDriver.EndpointOperInfo" -> out.putObject("Value");
            case "IpamDriver.GetCapabilities" -> out.put("RequiresMACAddress", false);
            case "IpamDriver.GetDefaultAddressSpaces" -> out.put("LocalDefaultAddressSpace", "overlaynet")
                    .put("GlobalDefaultAddressSpace", "overlaynet");
            case "IpamDriver.RequestPool" -> requestPool(req, out);
            case "IpamDriver.RequestAddress" -> requestAddress(req, out);
            case "IpamDriver.ReleaseAddress" -> releaseAddress(req);
            default -> throw new IllegalArgumentException("overlaynet's Docker driver does not know " + method);
        }
        return out;
    }

    private void requestPool(JsonNode req, ObjectNode out) {
        String pool = req.path("Pool").asText("");
        if (pool.isEmpty() || req.path("V6").asBoolean(false)) {
            throw new IllegalArgumentException("give the network's IPv4 subnet: docker network create --subnet CIDR ...");
        }
        IpPrefix subnet = IpPrefix.parse(pool).network();
        out.put("PoolID", subnet.toString()).put("Pool", subnet.toString()).putObject("Data");
    }

    private void requestAddress(JsonNode req, ObjectNode out) {
        IpPrefix subnet = IpPrefix.parse(req.path("PoolID").asText());
        Optional<InetAddress> asked = Optional.of(req.path("Address").asText("")).filter(a -> !a.isEmpty()).map(Ip::parseV4);
        if (GATEWAY_REQUEST.equals(req.path("Options").path("RequestAddressType").asText(""))) {
            // The gateway is the network's own (br0's address on every host): nothing to claim.
            InetAddress gw = asked.orElseGet(() -> subnet.addressAt(1));
            out.put("Address", gw.getHostAddress() + "/" + subnet.length()).putObject("Data");
            return;
        }
        NetworkConfig net = host.networkBySubnet(subnet).orElseThrow(() -> new IllegalStateException(
                "no overlaynet network has subnet " + subnet + ": create the Docker network with this driver first"));
        InetAddress ip = host.claim(net.name(), asked);
        out.put("Address", ip.getHostAddress() + "/" + subnet.length()).putObject("Data");
    }

    private void releaseAddress(JsonNode req) {
        IpPrefix subnet = IpPrefix.parse(req.path("PoolID").asText());
        InetAddress ip = Ip.parseV4(req.path("Address").asText().split("/")[0]);
        if (ip.equals(subnet.addressAt(1))) {
            return;
        }
        host.networkBySubnet(subnet).ifPresent(n -> host.release(n.name(), ip));
    }

    private void createNetwork(JsonNode req) {
        JsonNode opts = req.path("Options").path("com.docker.network.generic");
        String vniText = opts.path("vni").asText("");
        if (vniText.isEmpty()) {
            throw new IllegalArgumentException("give the network's VNI: docker network create -o vni=N ...");
        }
        int vni = Integer.parseInt(vniText);
        JsonNode v4 = req.path("IPv4Data").path(0);
        IpPrefix subnet = IpPrefix.parse(v4.path("Pool").asText()).network();
        InetAddress gateway = Ip.parseV4(v4.path("Gateway").asText(subnet.addressAt(1).getHostAddress() + "/32").split("/")[0]);
        String name = host.networkByVni(vni).map(n -> {
            if (!n.subnet().equals(subnet)) {
                throw new IllegalArgumentException("VNI " + vni + " is network " + n.name() + " with subnet " + n.subnet()
                        + ", not " + subnet + ": give the same subnet, or another VNI");
            }
            return n.name();
        }).orElseGet(() -> {
            String n = opts.path("name").asText("docker-" + vni);
            host.define(n, vni, subnet, gateway);
            return n;
        });
        host.state().write(networkPath(req.path("NetworkID").asText()), new NetworkMap(req.path("NetworkID").asText(), name));
    }

    private NetworkMap network(String dockerId) {
        return host.state().read(networkPath(dockerId), NetworkMap.class).orElseThrow(() -> new IllegalStateException(
                "Docker network " + dockerId + " is not one of overlaynet's here"));
    }

    private void createEndpoint(JsonNode req, ObjectNode out) {
        NetworkMap n = network(req.path("NetworkID").asText());
        String id = req.path("EndpointID").asText();
        String address = req.path("Interface").path("Address").asText("");
        if (address.isEmpty()) {
            throw new IllegalArgumentException("Docker gave endpoint " + id + " no IPv4 address: use --ipam-driver with this driver");
        }
        InetAddress ip = Ip.parseV4(address.split("/")[0]);
        String given = req.path("Interface").path("MacAddress").asText("");
        MacAddress mac = given.isEmpty() ? Endpoints.macFor(ip) : MacAddress.parse(given);
        host.state().write(endpointPath(id), new EndpointMap(id, n.dockerId(), n.network(), "dkr-" + id.substring(0,
                Math.min(12, id.length())), ip.getHostAddress(), mac.toString()));
        if (given.isEmpty()) {
            out.putObject("Interface").put("MacAddress", mac.toString());
        }
    }

    private void join(JsonNode req, ObjectNode out) {
        EndpointMap e = host.state().read(endpointPath(req.path("EndpointID").asText()), EndpointMap.class)
                .orElseThrow(() -> new IllegalStateException("Docker endpoint " + req.path("EndpointID").asText()
                        + " was never created here"));
        String hostEnd = "dk" + e.dockerId().substring(0, Math.min(8, e.dockerId().length()));
        host.join(e.network(), e.name(), Ip.parseV4(e.ip()), MacAddress.parse(e.mac()), req.path("SandboxKey").asText(),
                hostEnd);
        out.putObject("InterfaceName").put("SrcName", hostEnd).put("DstPrefix", "eth");
        host.network(e.network()).ifPresent(net -> out.put("Gateway", net.gateway().getHostAddress()));
    }

    /** {@code docker run -p HOST:CONTAINER}: the host's address and port sent on to the container's. */
    private void publish(JsonNode req) {
        String id = req.path("EndpointID").asText();
        EndpointMap e = host.state().read(endpointPath(id), EndpointMap.class).orElseThrow(() -> new IllegalStateException(
                "Docker endpoint " + id + " was never created here"));
        java.util.List<Ports.PortMap> ports = new java.util.ArrayList<>();
        for (JsonNode p : req.path("Options").path("com.docker.network.portmap")) {
            int hostPort = p.path("HostPort").asInt(0);
            if (hostPort == 0) {
                throw new IllegalArgumentException("publish with a host port of your choice (-p HOSTPORT:PORT): "
                        + "overlaynet's driver does not pick one");
            }
            ports.add(new Ports.PortMap(e.network(), p.path("Proto").asInt(6), hostPort, e.ip(), p.path("Port").asInt()));
        }
        if (!ports.isEmpty()) {
            host.publish(safe(id), ports);
        }
    }

    private void deleteEndpoint(JsonNode req) {
        String id = req.path("EndpointID").asText();
        host.unpublish(safe(id));
        host.state().read(endpointPath(id), EndpointMap.class).ifPresent(e -> host.leave(e.network(), e.name()));
        host.state().delete(endpointPath(id));
    }

    private static String networkPath(String dockerId) {
        return "docker/networks/" + safe(dockerId) + ".json";
    }

    private static String endpointPath(String dockerId) {
        return "docker/endpoints/" + safe(dockerId) + ".json";
    }

    private static String safe(String id) {
        if (!id.matches("[A-Za-z0-9_.-]{1,128}")) {
            throw new IllegalArgumentException("not a Docker id: '" + id + "'");
        }
        return id;
    }
}
