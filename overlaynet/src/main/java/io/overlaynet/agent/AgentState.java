package io.overlaynet.agent;

import io.overlaynet.dataplane.Host;

/** What an agent keeps across restarts in the host's state directory: its lease and VTEP MAC. */
record AgentState(long leaseId, String mac) {
    private static final String FILE = "agent.json";

    static AgentState load(Host host) {
        return host.state().read(FILE, AgentState.class).orElse(new AgentState(0, ""));
    }

    void save(Host host) {
        host.state().write(FILE, this);
    }
}
