package io.overlaynet.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The training run {@code bin/install} records an ahead-of-time cache from (JDK 25,
 * {@code -XX:AOTCacheOutput}): the commands people and scripts run most, in one JVM, against an empty
 * state directory of its own, touching nothing in the kernel. Classes they load and link are then
 * loaded from the cache at every start.
 */
public final class AotTraining {
    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path state = Files.createTempDirectory("overlaynet-aot-");
        String dir = state.toString();
        List<String[]> runs = List.of(
                new String[]{"--version"},
                new String[]{"--help"},
                new String[]{"network", "ls", "-o", "json", "--state-dir", dir},
                new String[]{"network", "ls", "--state-dir", dir},
                new String[]{"endpoint", "ls", "-o", "json", "--state-dir", dir},
                new String[]{"peer", "ls", "--state-dir", dir},
                new String[]{"lab", "ls", "-o", "json", "--state-dir", dir},
                new String[]{"network", "inspect", "none", "--state-dir", dir},
                new String[]{"network", "create", "--help"},
                new String[]{"doctor", "--help"},
                new String[]{"netwrk", "ls"});
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream none = new PrintStream(OutputStream.nullOutputStream());
        try {
            System.setOut(none);
            System.setErr(none);
            for (String[] run : runs) {
                Main.run(run);
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
            io.overlaynet.state.Trees.remove(state);
        }
    }
}
