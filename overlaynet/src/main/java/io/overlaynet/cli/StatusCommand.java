package io.overlaynet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.agent.AgentClient;
import io.overlaynet.agent.AgentConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code overlaynet status}: what this host's agent reports, or that none runs. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show this host's agent: host, VTEP, mode, store, lease, networks, counters.")
final class StatusCommand implements Callable<Integer> {
    @Mixin HostOptions host;
    @Option(names = "--agent-socket", description = "The agent's API socket (default /run/overlaynet/<prefix>/agent.sock).")
    Optional<Path> agentSocket;

    @Override
    public Integer call() throws Exception {
        Path socket = agentSocket.orElse(AgentConfig.defaultSocket(host.prefix));
        Optional<AgentClient> agent = AgentClient.find(socket);
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
