package io.overlaynet.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs reference commands (iproute2, the walkthroughs' scripts) and fails loudly when they fail. */
public final class Commands {
    private Commands() {
    }

    /** Runs a command to completion; returns its stdout; throws with its stderr on a non-zero exit. */
    public static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", cmd));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): "
                        + out.lines().findFirst().orElse(""));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd.getFirst() + ": " + e.getMessage()
                    + " (install iproute2)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", cmd), e);
        }
    }

    public static String run(String... cmd) {
        return run(List.of(cmd));
    }
}
