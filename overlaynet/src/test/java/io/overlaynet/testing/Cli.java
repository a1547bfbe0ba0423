package io.overlaynet.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.cli.Main;
import io.overlaynet.state.LocalState;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Runs the CLI in-process and captures what it prints. */
public final class Cli {
    private Cli() {
    }

    public record Run(int exit, String out, String err) {
        /** What it printed, parsed as JSON; fails the test when it is not JSON. */
        public JsonNode json() {
            try {
                return LocalState.JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out + err, e);
            }
        }

        /** The last line printed: where a bench puts its closing figure. */
        public String lastLine() {
            return out.strip().lines().reduce((a, b) -> b).orElseThrow(() -> new AssertionError("printed nothing: " + err));
        }
    }

    /**
     * A bench's figure line, {@code NAME NUMBER}: fails the test unless {@code line} is that figure, and
     * returns the number.
     */
    public static double figure(String line, String name) {
        if (!line.matches(name + " \\d+(\\.\\d+)?")) {
            throw new AssertionError("expected '" + name + " <number>', got: " + line);
        }
        return Double.parseDouble(line.substring(name.length() + 1));
    }

    /** Runs {@code command} as {@link #run(List, String...)} does and fails the test unless it exits with {@code exit}. */
    public static Run expect(int exit, List<String> before, String... command) {
        Run r = run(before, command);
        if (r.exit() != exit) {
            throw new AssertionError(String.join(" ", command) + ": exit " + r.exit() + ", expected " + exit + ": " + r.err() + r.out());
        }
        return r;
    }

    /** Runs {@code command} with {@code before} in front of it (options given before the command). */
    public static Run run(List<String> before, String... command) {
        List<String> args = new ArrayList<>(before);
        args.addAll(List.of(command));
        return run(args.toArray(String[]::new));
    }

    /**
     * The command line that runs the CLI with {@code args} in a JVM of its own (this test's JVM and class
     * path), for tests that need another process: signals, dropped capabilities, another namespace.
     */
    public static List<String> inOwnJvm(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    public static synchronized Run run(String... args) {
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
}
