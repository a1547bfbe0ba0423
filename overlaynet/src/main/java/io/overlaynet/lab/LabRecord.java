package io.overlaynet.lab;

import io.overlaynet.dataplane.Host;

import java.util.List;

/**
 * What {@code lab up} made, kept so {@code lab down} removes exactly that. Written before the first
 * namespace is made, with {@code complete} false until the last step, so a lab cut short (a failure,
 * Ctrl-C, a kill) is still found and removed by {@code lab down}. A record without the field is complete.
 */
public record LabRecord(String prefix, String mode, String underlayNamespace, List<LabHost> hosts, String network,
                        String store, String storeDir, List<Long> agentPids, List<Long> etcdPids, Boolean complete,
                        Boolean open, Boolean encrypt, String attach) {

    /** A lab with the VTEP allow-list and without encryption. */
    public LabRecord(String prefix, String mode, String underlayNamespace, List<LabHost> hosts, String network,
                     String store, String storeDir, List<Long> agentPids, List<Long> etcdPids, Boolean complete) {
        this(prefix, mode, underlayNamespace, hosts, network, store, storeDir, agentPids, etcdPids, complete, false, false,
                "bridge");
    }

    /**
     * {@code open}: built without the VTEP allow-list; {@code encrypt}: its agents run {@code --encrypt}.
     * Both are kept so that an agent started again ('lab up' after it died) runs as the others do.
     */
    public LabRecord {
        complete = complete == null || complete;
        open = open != null && open;
        encrypt = encrypt != null && encrypt;
        attach = attach == null ? "bridge" : attach;
        store = store == null ? "" : store;
        storeDir = storeDir == null ? "" : storeDir;
        agentPids = agentPids == null ? List.of() : agentPids;
        etcdPids = etcdPids == null ? List.of() : etcdPids;
    }

    /** The same lab, all of it built. */
    public LabRecord completed() {
        return new LabRecord(prefix, mode, underlayNamespace, hosts, network, store, storeDir, agentPids, etcdPids, true,
                open, encrypt, attach);
    }

    /** The same lab, its agents now these processes. */
    public LabRecord withAgentPids(List<Long> pids) {
        return new LabRecord(prefix, mode, underlayNamespace, hosts, network, store, storeDir, pids, etcdPids, complete,
                open, encrypt, attach);
    }

    /** Whether per-host agents run this lab (proactive or reactive mode). */
    public boolean agents() {
        return !store.isEmpty();
    }

    /** The kind of the agents' store ("file", "etcd"), or "" in a lab without agents. */
    public String storeKind() {
        String scheme = store.isEmpty() ? "" : store.substring(0, store.indexOf(':'));
        return scheme.equals("etcds") ? "etcd" : scheme;
    }

    /** Whether the lab's etcd speaks TLS to its clients. */
    public boolean tls() {
        return store.startsWith("etcds:");
    }

    public record LabHost(String name, String namespace, String nsPrefix, String address, List<Container> containers) {
        /** This host's overlay namespace for the lab's network. */
        public String overlayNamespace() {
            return Host.overlayNamespace(nsPrefix, Lab.NETWORK);
        }
    }

    public record Container(String name, String namespace, String ip, String mac) {
    }

    public List<Container> containers() {
        return hosts.stream().flatMap(h -> h.containers().stream()).toList();
    }
}
