package io.overlaynet.agent;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A root-only Unix socket that hands each connection to a handler on a thread of its own: what the
 * local API and the Docker driver listen on. A stale socket file is replaced; close removes it.
 */
final class UnixServer implements AutoCloseable {
    private final Path socket;
    private final boolean privateDirectory;
    private final String name;
    private final Log log;
    private final Consumer<SocketChannel> handler;
    private final Optional<String> group;
    private ServerSocketChannel server;
    private volatile boolean closed;

    /**
     * @param privateDirectory make the socket's directory (when missing) readable by root only
     * @param name             what it is, for thread names, errors and the log
     */
    UnixServer(Path socket, boolean privateDirectory, String name, Log log, Consumer<SocketChannel> handler) {
        this(socket, privateDirectory, name, log, handler, Optional.empty());
    }

    /**
     * @param group a group whose members may connect too: the socket (and its private directory) is
     *              given to it, and each caller's credentials (SO_PEERCRED) are checked at accept
     */
    UnixServer(Path socket, boolean privateDirectory, String name, Log log, Consumer<SocketChannel> handler,
               Optional<String> group) {
        this.group = group;
        this.socket = socket;
        this.privateDirectory = privateDirectory;
        this.name = name;
        this.log = log;
        this.handler = handler;
    }

    void start() {
        try {
            if (privateDirectory) {
                Files.createDirectories(socket.getParent(), PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(socket.getParent());
            }
            Files.deleteIfExists(socket);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            if (group.isPresent()) {
                var lookup = socket.getFileSystem().getUserPrincipalLookupService();
                var g = lookup.lookupPrincipalByGroupName(group.get());
                for (Path p : privateDirectory ? List.of(socket.getParent(), socket) : List.of(socket)) {
                    Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class).setGroup(g);
                }
                if (privateDirectory) {
                    Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwx--x---"));
                }
                Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the " + name + " socket " + socket + ": " + e.getMessage(), e);
        }
        Thread.ofPlatform().daemon(true).name(name).start(this::serve);
    }

    private void serve() {
        while (!closed) {
            try {
                SocketChannel c = server.accept();
                Thread.ofPlatform().daemon(true).name(name + "-conn").start(() -> {
                    String refused = refusal(c);
                    if (refused == null) {
                        handler.accept(c);
                    } else {
                        refuse(c, refused);
                    }
                });
            } catch (IOException e) {
                if (!closed) {
                    log.once(name + "-accept", name + " accept failed: " + e.getMessage());
                }
            }
        }
    }

    /** Why the caller may not use the socket (by its SO_PEERCRED credentials), or null when it may. */
    private String refusal(SocketChannel c) {
        try {
            jdk.net.UnixDomainPrincipal who = c.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED);
            if (who.user().getName().equals("root") || group.map(g -> g.equals(who.group().getName())).orElse(false)) {
                return null;
            }
            return "user " + who.user().getName() + " (group " + who.group().getName() + ") may not use the " + name
                    + " socket: only root" + group.map(g -> " and group " + g).orElse("") + " may";
        } catch (IOException | UnsupportedOperationException e) {
            return "cannot read the caller's credentials: " + e.getMessage();
        }
    }

    /** Answers a refused caller with one HTTP 403 and its reason, then closes. */
    private void refuse(SocketChannel c, String why) {
        log.once(name + "-refused:" + why, why);
        String body = "{\"error\":\"" + why.replace("\"", "'") + "\"}";
        String response = "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + body;
        try (c) {
            c.read(java.nio.ByteBuffer.allocate(8192)); // the request, read so that closing does not reset
            c.write(java.nio.ByteBuffer.wrap(response.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            c.shutdownOutput();
        } catch (IOException ignored) {
            // the caller went away
        }
    }

    Path socket() {
        return socket;
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (server != null) {
                server.close();
            }
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
