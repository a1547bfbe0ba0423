package io.overlaynet.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command the way the runtime fixtures need: environment added, stdin given, output kept, bounded in time. */
public final class Proc {
    private Proc() {
    }

    /** Exit code, standard output and standard error. */
    public record Result(int exit, String out, String err) {
    }

    public static Result run(List<String> cmd, Map<String, String> env, String stdin, int seconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        // stderr on a thread of its own: a process that fills one pipe while we read the other must not stall
        var err = new java.util.concurrent.CompletableFuture<String>();
        Thread.ofVirtual().start(() -> {
            try {
                err.complete(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                err.complete("");
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish in " + seconds + " s");
        }
        return new Result(p.exitValue(), out, err.join());
    }
}
