package io.overlaynet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What overlaynet needs of the kernel: CAP_NET_ADMIN for links, addresses and entries, and CAP_SYS_ADMIN
 * to make and enter namespaces. Checked before a command runs, so an unprivileged user gets one line
 * saying so instead of the first EPERM from somewhere inside.
 */
final class Privileges {
    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_SYS_ADMIN = 21;

    private Privileges() {
    }

    /** The capabilities this process lacks, by name; empty when it has both (or the kernel does not say). */
    static List<String> missing() {
        long effective;
        try {
            effective = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("CapEff:")).findFirst()
                    .map(l -> Long.parseUnsignedLong(l.substring("CapEff:".length()).strip(), 16))
                    .orElse(-1L);
        } catch (IOException | NumberFormatException e) {
            return List.of(); // no answer: let the kernel refuse, if it will
        }
        List<String> out = new ArrayList<>();
        if ((effective & (1L << CAP_NET_ADMIN)) == 0) {
            out.add("CAP_NET_ADMIN");
        }
        if ((effective & (1L << CAP_SYS_ADMIN)) == 0) {
            out.add("CAP_SYS_ADMIN");
        }
        return out;
    }

    /** The one-line error for a command run without {@code missing}. */
    static String error(List<String> missing) {
        return "this command needs root: it lacks " + String.join(" and ", missing) + " here; run it with sudo";
    }
}
