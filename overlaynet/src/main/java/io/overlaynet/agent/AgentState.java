package io.overlaynet.agent;

import io.overlaynet.state.LocalState;

/** What an agent keeps across restarts in the host's state directory: its lease and VTEP MAC. */
record AgentState(long leaseId, String mac) {
    private static final String FILE = "agent.json";

    static AgentState load(LocalState state) {
        return state.read(FILE, AgentState.class).orElse(new AgentState(0, ""));
    }

    void save(LocalState state) {
        state.write(FILE, this);
    }
}
