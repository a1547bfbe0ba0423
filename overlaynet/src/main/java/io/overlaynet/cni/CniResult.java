package io.overlaynet.cni;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.overlaynet.dataplane.NetworkConfig;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.state.LocalState;

/**
 * The ADD result in the version the configuration asked for: the container's interface (MAC, sandbox),
 * its address with the gateway, the default route. Before 1.0.0 every address also carries
 * {@code "version": "4"}; from 1.1.0 the interface carries its MTU.
 */
final class CniResult {
    private CniResult() {
    }

    static ObjectNode of(String version, EndpointRecord e, NetworkConfig net) {
        ObjectNode r = LocalState.JSON.createObjectNode();
        r.put("cniVersion", version);
        ObjectNode iface = r.putArray("interfaces").addObject();
        iface.put("name", e.containerIf());
        iface.put("mac", e.mac());
        if (version.equals("1.1.0")) {
            iface.put("mtu", net.mtu());
        }
        iface.put("sandbox", e.namespace());
        ObjectNode ip = r.putArray("ips").addObject();
        if (version.startsWith("0.")) {
            ip.put("version", "4");
        }
        ip.put("address", e.ip() + "/" + net.subnet().length());
        ip.put("gateway", net.gateway().getHostAddress());
        ip.put("interface", 0);
        ArrayNode routes = r.putArray("routes");
        routes.addObject().put("dst", "0.0.0.0/0").put("gw", net.gateway().getHostAddress());
        r.putObject("dns");
        return r;
    }

    static ObjectNode error(String version, int code, String msg) {
        ObjectNode r = LocalState.JSON.createObjectNode();
        r.put("cniVersion", version);
        r.put("code", code);
        r.put("msg", msg);
        return r;
    }
}
