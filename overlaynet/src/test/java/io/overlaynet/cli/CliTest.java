package io.overlaynet.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line: help, version, exit codes and one-line errors; the netlink bench end to end. */
class CliTest {
    record Run(int exit, String out, String err) {
    }

    static synchronized Run cli(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.run(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void helpAndVersion() {
        Run help = cli("--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("bench"), help.out());
        Run version = cli("--version");
        assertEquals(0, version.exit());
        assertTrue(version.out().startsWith("overlaynet "), version.out());
    }

    @Test
    void usageErrorsExitTwoWithOneLine() {
        for (Supplier<Run> r : List.<Supplier<Run>>of(() -> cli("no-such-command"),
                () -> cli("bench", "netlink", "--entries", "0"), () -> cli("bench", "netlink", "--entries", "x"))) {
            Run run = r.get();
            assertEquals(2, run.exit(), run.err());
            assertEquals(1, run.err().lines().count(), run.err());
            assertTrue(run.err().startsWith("overlaynet: "), run.err());
        }
    }

    @Test
    void netlinkBenchRunsBothSidesAndPrintsTheRatio() {
        Run r = cli("bench", "netlink", "--entries", "300", "--rounds", "1", "--single-ops", "3");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("FDB add, entries/s (bridge -batch)"), r.out());
        String last = r.out().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.matches("netlink_vs_iproute2_batch \\d+\\.\\d+"), last);
        assertTrue(Double.parseDouble(last.split(" ")[1]) > 0, last);
    }
}
