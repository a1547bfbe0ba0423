package io.overlaynet.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.docker.DockerPlugin;
import io.overlaynet.state.LocalState;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;

/**
 * Serves Docker's plugin protocol on {@code /run/docker/plugins/<name>.sock}, where dockerd finds plugins
 * by name: {@code POST /<Method>} with a JSON body, a JSON answer, {@code {"Err": "..."}} on failure.
 */
final class DockerPluginServer implements AutoCloseable {
    static final Path PLUGIN_DIR = Path.of("/run/docker/plugins");
    private final DockerPlugin plugin;
    private final Log log;
    private final UnixServer server;

    DockerPluginServer(DockerPlugin plugin, Log log, String name) {
        this.plugin = plugin;
        this.log = log;
        this.server = new UnixServer(PLUGIN_DIR.resolve(name + ".sock"), false, "docker-plugin", log, this::handle);
    }

    void start() {
        server.start();
        log.info("Docker network and IPAM driver on " + server.socket());
    }

    private void handle(SocketChannel c) {
        try (c) {
            LocalApi.Http.Request req = LocalApi.Http.read(c);
            String method = req.path().startsWith("/") ? req.path().substring(1) : req.path();
            int status = 200;
            Object body;
            try {
                JsonNode in = req.body().length == 0 ? LocalState.JSON.createObjectNode() : LocalState.JSON.readTree(req.body());
                body = plugin.handle(method, in);
            } catch (RuntimeException e) {
                status = 500;
                body = Map.of("Err", String.valueOf(e.getMessage()));
                log.info("Docker " + method + " refused: " + e.getMessage());
            }
            LocalApi.Http.respond(c, status, LocalState.JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            log.once("docker-io", "Docker plugin connection failed: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
