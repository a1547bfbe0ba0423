package io.overlaynet.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.cni.CniCall;
import io.overlaynet.cni.CniError;
import io.overlaynet.cni.CniPlugin;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.state.LocalState;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's local API: HTTP/1.1 + JSON on a root-only Unix socket. {@code POST /v1/endpoints},
 * {@code DELETE /v1/endpoints/<network>/<name>}, {@code GET /v1/status}, {@code POST /v1/cni} (the CNI
 * plugin's calls). One request per connection.
 */
final class LocalApi implements AutoCloseable {
    /** What the API serves. */
    interface Service {
        EndpointRecord addEndpoint(String network, String name, Optional<InetAddress> ip, Optional<MacAddress> mac,
                                   Optional<Path> netns);

        boolean removeEndpoint(String network, String name);

        Map<String, Object> status();

        /** The status's counters alone: no kernel read, no listing (for callers that poll). */
        Map<String, Object> counters();

        /** A CNI call the overlaynet-cni executable carried here. */
        CniPlugin.Answer cni(CniCall call);
    }

    private final Service service;
    private final Log log;
    private final UnixServer server;

    LocalApi(Service service, Log log, Path socket) {
        this(service, log, socket, java.util.Optional.empty());
    }

    /** @param group a group whose members may use the socket besides root (checked per caller, SO_PEERCRED) */
    LocalApi(Service service, Log log, Path socket, java.util.Optional<String> group) {
        this.service = service;
        this.log = log;
        this.server = new UnixServer(socket, true, "agent-api", log, this::handle, group);
    }

    void start() {
        server.start();
    }

    private void handle(SocketChannel c) {
        try (c) {
            Http.Request req = Http.read(c);
            if (req.method().equals("POST") && req.path().equals("/v1/cni")) {
                cni(c, req);
                return;
            }
            int status = 200;
            Object body;
            try {
                body = route(req);
            } catch (IllegalArgumentException e) {
                status = 400;
                body = Map.of("error", e.getMessage());
            } catch (RuntimeException e) {
                status = 500;
                body = Map.of("error", String.valueOf(e.getMessage()));
            }
            Http.respond(c, status, LocalState.JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            log.once("api-io", "agent API connection failed: " + e.getMessage());
        }
    }

    /**
     * {@code POST /v1/cni}: the CNI_* variables as headers, the network configuration as the body; the
     * answer's body is what the plugin prints, status 200 for exit 0 and 400 for exit 1.
     */
    private void cni(SocketChannel c, Http.Request req) throws IOException {
        CniPlugin.Answer a;
        try {
            a = service.cni(CniCall.parse(req.header("CNI-Command"), req.header("CNI-ContainerID"),
                    req.header("CNI-Netns"), req.header("CNI-Ifname"), req.header("CNI-Args"), req.body()));
        } catch (CniError e) {
            a = new CniPlugin.Answer(false, "{\"cniVersion\":\"1.1.0\",\"code\":" + e.code() + ",\"msg\":"
                    + LocalState.JSON.writeValueAsString(e.getMessage()) + "}\n");
        }
        Http.respond(c, a.ok() ? 200 : 400, a.stdout().getBytes(StandardCharsets.UTF_8));
    }

    private Object route(Http.Request req) throws IOException {
        String[] path = req.path().split("/");
        if (req.method().equals("GET") && req.path().equals("/v1/status")) {
            return service.status();
        }
        if (req.method().equals("GET") && req.path().equals("/v1/counters")) {
            return service.counters();
        }
        if (req.method().equals("POST") && req.path().equals("/v1/endpoints")) {
            JsonNode j = LocalState.JSON.readTree(req.body());
            String network = text(j, "network").orElseThrow(() -> new IllegalArgumentException("missing \"network\""));
            String name = text(j, "name").orElseThrow(() -> new IllegalArgumentException("missing \"name\""));
            EndpointRecord r = service.addEndpoint(network, name, text(j, "ip").map(Ip::parseV4),
                    text(j, "mac").map(MacAddress::parse), text(j, "netns").map(Path::of));
            return r;
        }
        if (req.method().equals("DELETE") && path.length == 5 && path[1].equals("v1") && path[2].equals("endpoints")) {
            return Map.of("removed", service.removeEndpoint(path[3], path[4]));
        }
        throw new IllegalArgumentException("no such API call: " + req.method() + " " + req.path());
    }

    private static Optional<String> text(JsonNode j, String field) {
        return Optional.ofNullable(j.get(field)).filter(n -> !n.isNull()).map(JsonNode::asText);
    }

    @Override
    public void close() {
        server.close();
    }

    /** Minimal HTTP/1.1 over a channel, for this API and its client. */
    static final class Http {
        /** A request; header names are lower-cased. */
        record Request(String method, String path, Map<String, String> headers, byte[] body) {
            String header(String name) {
                return headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), "");
            }
        }

        record Response(int status, byte[] body) {
        }

        static Request read(SocketChannel c) throws IOException {
            Message m = message(c);
            String[] lines = m.head().split("\r\n");
            String[] first = lines[0].split(" ");
            if (first.length < 2) {
                throw new IOException("bad request line");
            }
            Map<String, String> headers = new java.util.HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT),
                            lines[i].substring(colon + 1).trim());
                }
            }
            return new Request(first[0], first[1], headers, m.body());
        }

        static void respond(SocketChannel c, int status, byte[] body) throws IOException {
            String head = "HTTP/1.1 " + status + (status == 200 ? " OK" : " Error") + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
            write(c, head.getBytes(StandardCharsets.US_ASCII), body);
        }

        static Response call(Path socket, String method, String path, byte[] body) throws IOException {
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                String head = method + " " + path + " HTTP/1.1\r\nHost: agent\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
                write(c, head.getBytes(StandardCharsets.US_ASCII), body);
                Message m = message(c);
                String[] first = m.head().split("\r\n")[0].split(" ");
                return new Response(Integer.parseInt(first[1]), m.body());
            }
        }

        private record Message(String head, byte[] body) {
        }

        private static Message message(SocketChannel c) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            int headEnd = -1;
            while (headEnd < 0) {
                if (c.read(buf) < 0) {
                    throw new IOException("connection closed before the headers ended");
                }
                headEnd = indexOf(buf, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                if (headEnd < 0 && !buf.hasRemaining()) {
                    throw new IOException("headers too large");
                }
            }
            String head = new String(buf.array(), 0, headEnd, StandardCharsets.US_ASCII);
            int length = 0;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            int bodyStart = headEnd + 4;
            ByteBuffer body = ByteBuffer.allocate(length);
            body.put(buf.array(), bodyStart, Math.min(length, buf.position() - bodyStart));
            while (body.hasRemaining() && c.read(body) >= 0) {
                // keep reading
            }
            return new Message(head, body.array());
        }

        private static int indexOf(ByteBuffer buf, byte[] pattern) {
            byte[] a = buf.array();
            for (int i = 0; i + pattern.length <= buf.position(); i++) {
                boolean match = true;
                for (int j = 0; j < pattern.length && match; j++) {
                    match = a[i + j] == pattern[j];
                }
                if (match) {
                    return i;
                }
            }
            return -1;
        }

        private static void write(SocketChannel c, byte[] head, byte[] body) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(head.length + body.length).put(head).put(body).flip();
            while (b.hasRemaining()) {
                c.write(b);
            }
        }
    }
}
