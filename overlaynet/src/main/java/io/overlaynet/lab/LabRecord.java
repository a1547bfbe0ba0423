package io.overlaynet.lab;

import java.util.List;

/** What {@code lab up} made, kept so {@code lab down} removes exactly that. */
public record LabRecord(String prefix, String mode, String underlayNamespace, List<LabHost> hosts, String network) {

    public record LabHost(String name, String namespace, String nsPrefix, String address, List<Container> containers) {
    }

    public record Container(String name, String namespace, String ip, String mac) {
    }

    public List<Container> containers() {
        return hosts.stream().flatMap(h -> h.containers().stream()).toList();
    }
}
