package io.overlaynet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.agent.AgentClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code overlaynet status}: what this host's agent reports, or that none runs. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show this host's agent: host, VTEP, mode, store, lease, networks, counters.")
final class StatusCommand implements Callable<Integer> {
    @Mixin HostOptions host;
    @Mixin AgentSocketOption agentSocket;

    @Override
    public Integer call() throws Exception {
        Path socket = agentSocket.socket(host);
        Optional<AgentClient> agent = agentSocket.agent(host);
        if (agent.isEmpty()) {
            throw new IllegalStateException("no agent answers on " + socket + ": start one with 'overlaynet agent --store URL'");
        }
        JsonNode s = agent.get().status();
        if (host.json()) {
            Out.json(s);
        } else {
            s.fields().forEachRemaining(f -> System.out.printf("%-18s %s%n", f.getKey(),
                    f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString()));
        }
        return 0;
    }
}
