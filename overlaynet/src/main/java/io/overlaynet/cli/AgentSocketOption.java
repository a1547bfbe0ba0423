package io.overlaynet.cli;

import io.overlaynet.agent.AgentClient;
import io.overlaynet.agent.AgentConfig;
import io.overlaynet.agent.AgentIndex;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/** {@code --agent-socket}, for commands that go through this host's agent when one runs. */
final class AgentSocketOption {
    @Option(names = "--agent-socket", paramLabel = "PATH",
            description = "The agent's API socket (default /run/overlaynet/<prefix>/agent.sock).")
    Optional<Path> agentSocket = Optional.empty();

    /**
     * The socket given; else that of the agent serving the host namespace the command acts as (see
     * {@link AgentIndex}); else the default one of the host's namespace prefix.
     */
    Path socket(HostOptions host) {
        return agentSocket.or(() -> AgentIndex.find(host.hostNs()).map(n -> Path.of(n.socket())))
                .orElse(AgentConfig.defaultSocket(host.prefix()));
    }

    /** The agent answering on that socket, if one runs. */
    Optional<AgentClient> agent(HostOptions host) {
        return AgentClient.find(socket(host));
    }
}
