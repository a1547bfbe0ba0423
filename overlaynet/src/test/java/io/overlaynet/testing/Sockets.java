package io.overlaynet.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** A client for tests of published ports: connect, read what the server says, retried while it starts. */
public final class Sockets {
    private Sockets() {
    }

    /** Everything HOST:PORT sends before it closes, stripped; retried for 10 s while nothing answers. */
    public static String readAll(String host, int port) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 2000);
                s.setSoTimeout(3000);
                String got = new String(s.getInputStream().readAllBytes()).strip();
                if (!got.isEmpty() || System.nanoTime() > deadline) {
                    return got;
                }
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
            }
            Thread.sleep(200);
        }
    }
}
