package io.overlaynet.agent;

import io.overlaynet.dataplane.Attach;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How an agent runs.
 *
 * @param reactive  answer the kernel's misses (the walkthroughs' daemon) instead of programming ahead of time
 * @param apiSocket the local API's Unix socket (root only)
 * @param jsonLog   log one JSON object per line instead of text
 * @param dockerPlugin serve Docker's network and IPAM driver protocol under this driver name
 * @param apiGroup  a group whose members may use the API socket too (root always may)
 * @param allowList the networks it builds accept VXLAN only from member VTEPs (see
 *                  {@link io.overlaynet.dataplane.AllowList}); off: open to any sender on the underlay
 * @param encrypt   VXLAN between hosts goes through WireGuard ({@link io.overlaynet.dataplane.WireGuard})
 * @param rekey     with encrypt: make a new key pair, one epoch later, before registering
 * @param tunnelSubnet with encrypt: where the hosts' tunnel addresses come from (the underlay address's low bits)
 * @param metricsAddress where metrics listen (127.0.0.1 unless told otherwise)
 */
public record AgentConfig(String storeUrl, String hostName, boolean reactive, Optional<String> underlay,
                          String prefix, Path stateDir, Optional<String> hostNs, Duration leaseTtl, Path apiSocket,
                          int metricsPort, Duration reconcileEvery, boolean jsonLog, Optional<String> dockerPlugin,
                          Optional<String> apiGroup, boolean allowList, boolean encrypt, boolean rekey,
                          String tunnelSubnet, String metricsAddress, Attach attach) {

    public static final String DEFAULT_TUNNEL_SUBNET = "100.64.0.0/16";

    /** The defaults for what follows the API group: allow-list on, no encryption, metrics on loopback. */
    public AgentConfig(String storeUrl, String hostName, boolean reactive, Optional<String> underlay, String prefix,
                       Path stateDir, Optional<String> hostNs, Duration leaseTtl, Path apiSocket, int metricsPort,
                       Duration reconcileEvery, boolean jsonLog, Optional<String> dockerPlugin, Optional<String> apiGroup) {
        this(storeUrl, hostName, reactive, underlay, prefix, stateDir, hostNs, leaseTtl, apiSocket, metricsPort,
                reconcileEvery, jsonLog, dockerPlugin, apiGroup, true, false, false, DEFAULT_TUNNEL_SUBNET, "127.0.0.1",
                Attach.DEFAULT);
    }

    /** Without a Docker driver. */
    public AgentConfig(String storeUrl, String hostName, boolean reactive, Optional<String> underlay, String prefix,
                       Path stateDir, Optional<String> hostNs, Duration leaseTtl, Path apiSocket, int metricsPort,
                       Duration reconcileEvery, boolean jsonLog) {
        this(storeUrl, hostName, reactive, underlay, prefix, stateDir, hostNs, leaseTtl, apiSocket, metricsPort,
                reconcileEvery, jsonLog, Optional.empty(), Optional.empty());
    }

    public static final Duration DEFAULT_TTL = Duration.ofSeconds(10);

    /** The default API socket of a host: one per namespace prefix, so simulated hosts each have their own. */
    public static Path defaultSocket(String prefix) {
        return Path.of("/run/overlaynet", prefix.isEmpty() ? "default" : prefix, "agent.sock");
    }
}
