package io.overlaynet.runtimes;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.state.LocalState;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A container's network namespace, found through the Docker Engine API on a Unix socket (podman's API
 * service speaks the same): {@code GET /containers/NAME/json}, then its sandbox key (Docker's bind
 * mount of the namespace) or, without one, {@code /proc/PID/ns/net} of its first process. This is the
 * walkthroughs' {@code docker inspect ... SandboxKey} step as one option of {@code endpoint add}.
 */
public final class ContainerApi {
    /** Where the APIs listen by default: Docker's, then podman's service. */
    static final List<Path> DEFAULT_SOCKETS = List.of(Path.of("/var/run/docker.sock"), Path.of("/run/podman/podman.sock"));

    private ContainerApi() {
    }

    /** The socket given; else {@code $DOCKER_HOST} (unix://...); else the first default that exists. */
    public static Path socket(Optional<Path> given) {
        if (given.isPresent()) {
            return given.get();
        }
        String host = System.getenv("DOCKER_HOST");
        if (host != null && host.startsWith("unix://")) {
            return Path.of(host.substring("unix://".length()));
        }
        return DEFAULT_SOCKETS.stream().filter(Files::exists).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "no container API socket found (" + DEFAULT_SOCKETS.get(0) + ", " + DEFAULT_SOCKETS.get(1)
                        + "): give --api-socket PATH, or --netns /proc/PID/ns/net"));
    }

    /** The network namespace of a running container, by name or id. */
    public static Path namespaceOf(Path socket, String container) {
        JsonNode c = inspect(socket, container);
        JsonNode state = c.path("State");
        if (!state.path("Running").asBoolean(false)) {
            throw new IllegalArgumentException("container " + container + " is not running: start it first");
        }
        String sandbox = c.path("NetworkSettings").path("SandboxKey").asText("");
        if (!sandbox.isEmpty() && Files.exists(Path.of(sandbox))) {
            return Path.of(sandbox);
        }
        long pid = state.path("Pid").asLong(0);
        if (pid <= 0) {
            throw new IllegalStateException("container " + container + " has neither a sandbox key nor a process id");
        }
        return Path.of("/proc", Long.toString(pid), "ns", "net");
    }

    private static JsonNode inspect(Path socket, String container) {
        String path = "/containers/" + URLEncoder.encode(container, StandardCharsets.UTF_8) + "/json";
        Response r;
        try {
            r = get(socket, path);
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach the container API on " + socket + ": " + e.getMessage()
                    + " (is the daemon running? give --api-socket PATH)", e);
        }
        if (r.status() == 404) {
            throw new IllegalArgumentException("no container " + container + " on " + socket + ": see 'docker ps'");
        }
        try {
            JsonNode j = LocalState.JSON.readTree(r.body());
            if (r.status() != 200) {
                throw new IllegalStateException("the container API on " + socket + " answered " + r.status() + ": "
                        + j.path("message").asText(""));
            }
            return j;
        } catch (IOException e) {
            throw new IllegalStateException("the container API on " + socket + " sent something that is not JSON", e);
        }
    }

    private record Response(int status, byte[] body) {
    }

    /** One GET over HTTP/1.1 on a Unix socket; reads to the end (Connection: close), chunked or not. */
    private static Response get(Path socket, String path) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer req = ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            while (req.hasRemaining()) {
                ch.write(req);
            }
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(16384);
            while (ch.read(buf) >= 0) {
                all.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return parse(all.toByteArray());
        }
    }

    static Response parse(byte[] raw) throws IOException {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0 || !text.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP answer");
        }
        String head = text.substring(0, end);
        int status = Integer.parseInt(head.split(" ")[1]);
        String body = text.substring(end + 4);
        if (head.toLowerCase().contains("transfer-encoding: chunked")) {
            StringBuilder out = new StringBuilder();
            int at = 0;
            while (at < body.length()) {
                int eol = body.indexOf("\r\n", at);
                int size = Integer.parseInt(body.substring(at, eol).split(";")[0].trim(), 16);
                if (size == 0) {
                    break;
                }
                out.append(body, eol + 2, eol + 2 + size);
                at = eol + 2 + size + 2;
            }
            body = out.toString();
        }
        return new Response(status, body.getBytes(StandardCharsets.ISO_8859_1));
    }
}
