package io.overlaynet.agent;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
    private ServerSocketChannel server;
    private volatile boolean closed;

    /**
     * @param privateDirectory make the socket's directory (when missing) readable by root only
     * @param name             what it is, for thread names, errors and the log
     */
    UnixServer(Path socket, boolean privateDirectory, String name, Log log, Consumer<SocketChannel> handler) {
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
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the " + name + " socket " + socket + ": " + e.getMessage(), e);
        }
        Thread.ofPlatform().daemon(true).name(name).start(this::serve);
    }

    private void serve() {
        while (!closed) {
            try {
                SocketChannel c = server.accept();
                Thread.ofPlatform().daemon(true).name(name + "-conn").start(() -> handler.accept(c));
            } catch (IOException e) {
                if (!closed) {
                    log.once(name + "-accept", name + " accept failed: " + e.getMessage());
                }
            }
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
