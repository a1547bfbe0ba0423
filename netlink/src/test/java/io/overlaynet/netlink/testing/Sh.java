package io.overlaynet.netlink.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs iproute2 (the independent oracle) and other commands for tests. */
public final class Sh {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Sh() {
    }

    public record Result(int exit, String out, String err) {
        public Result ok() {
            if (exit != 0) {
                throw new AssertionError("command failed (exit " + exit + "): " + err + out);
            }
            return this;
        }
    }

    public static Result run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                    new String(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs a command that must succeed and parses its JSON output. */
    public static JsonNode json(String... cmd) {
        String out = run(cmd).ok().out().trim();
        try {
            return JSON.readTree(out.isEmpty() ? "[]" : out);
        } catch (IOException e) {
            throw new AssertionError("not JSON from " + String.join(" ", cmd) + ": " + out, e);
        }
    }

    /** {@code ip -n NS -d -j ARGS...}. */
    public static JsonNode ipJson(String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns, "-d", "-j"));
        cmd.addAll(List.of(args));
        return json(cmd.toArray(String[]::new));
    }

    /** {@code ip -n NS ARGS...}, must succeed. */
    public static void ip(String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
        cmd.addAll(List.of(args));
        run(cmd.toArray(String[]::new)).ok();
    }

    /** {@code bridge -n NS -j fdb show ARGS...}. */
    public static JsonNode fdbJson(String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bridge", "-n", ns, "-j", "fdb", "show"));
        cmd.addAll(List.of(args));
        return json(cmd.toArray(String[]::new));
    }
}
