package io.overlaynet.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.state.LocalState;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The CLI's side of the local API: used when an agent runs for this host. */
public final class AgentClient {
    private final Path socket;

    private AgentClient(Path socket) {
        this.socket = socket;
    }

    /** A client when an agent listens on {@code socket}, else empty. */
    public static Optional<AgentClient> find(Path socket) {
        if (!Files.exists(socket)) {
            return Optional.empty();
        }
        AgentClient c = new AgentClient(socket);
        try {
            c.call("GET", "/v1/status", new byte[0]);
            return Optional.of(c);
        } catch (IOException | IllegalStateException e) {
            return Optional.empty();
        }
    }

    public EndpointRecord addEndpoint(String network, String name, Optional<String> ip, Optional<String> mac,
                                      Optional<Path> netns) throws IOException {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("network", network);
        req.put("name", name);
        ip.ifPresent(v -> req.put("ip", v));
        mac.ifPresent(v -> req.put("mac", v));
        netns.ifPresent(v -> req.put("netns", v.toString()));
        JsonNode r = call("POST", "/v1/endpoints", LocalState.JSON.writeValueAsBytes(req));
        return LocalState.JSON.treeToValue(r, EndpointRecord.class);
    }

    public boolean removeEndpoint(String network, String name) throws IOException {
        return call("DELETE", "/v1/endpoints/" + enc(network) + "/" + enc(name), new byte[0]).path("removed").asBoolean();
    }

    public JsonNode status() throws IOException {
        return call("GET", "/v1/status", new byte[0]);
    }

    /** The status's counters alone (entriesProgrammed, endpointsInStore, missesAnswered): cheap to poll. */
    public JsonNode counters() throws IOException {
        return call("GET", "/v1/counters", new byte[0]);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private JsonNode call(String method, String path, byte[] body) throws IOException {
        LocalApi.Http.Response r = LocalApi.Http.call(socket, method, path, body);
        JsonNode j = LocalState.JSON.readTree(r.body());
        if (r.status() == 400) {
            throw new IllegalArgumentException(j.path("error").asText());
        }
        if (r.status() != 200) {
            throw new IllegalStateException("agent: " + j.path("error").asText());
        }
        return j;
    }
}
