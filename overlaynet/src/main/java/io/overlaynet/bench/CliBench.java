package io.overlaynet.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Start-up cost of the command a script calls per container: wall time of {@code overlaynet network ls
 * -o json} and {@code overlaynet --version} against {@code podman network ls} and {@code ip -j link show},
 * run in turns (each round runs all four, in a rotated order) so that drift falls on all alike.
 */
public final class CliBench {
    private final Path overlaynet;
    private final int runs;
    private final PrintStream out;

    public CliBench(Path overlaynet, int runs, PrintStream out) {
        this.overlaynet = overlaynet;
        this.runs = runs;
        this.out = out;
    }

    public Figures run() {
        Map<String, List<String>> commands = new LinkedHashMap<>();
        commands.put("overlaynet network ls -o json", List.of(overlaynet.toString(), "network", "ls", "-o", "json"));
        commands.put("overlaynet --version", List.of(overlaynet.toString(), "--version"));
        commands.put("podman network ls", List.of("podman", "network", "ls"));
        commands.put("ip -j link show", List.of("ip", "-j", "link", "show"));
        List<String> names = new ArrayList<>(commands.keySet());
        Map<String, List<Double>> ms = new LinkedHashMap<>();
        names.forEach(n -> ms.put(n, new ArrayList<>()));
        out.printf("overlaynet bench cli: %s, %d runs of each, in turns%n", overlaynet, runs);
        for (String n : names) {
            time(n, commands.get(n)); // once untimed: page cache, podman's first-use setup
        }
        for (int r = 0; r < runs; r++) {
            for (int i = 0; i < names.size(); i++) {
                String n = names.get((i + r) % names.size());
                ms.get(n).add(time(n, commands.get(n)));
            }
        }
        for (String n : names) {
            out.printf("%-36s median %7.1f ms%n", n, Stats.median(ms.get(n)));
        }
        Figures f = new Figures(out);
        double ours = Stats.median(ms.get(names.get(0)));
        f.add("cli_network_ls_ms", ours, "%.1f");
        f.add("cli_version_ms", Stats.median(ms.get(names.get(1))), "%.1f");
        f.add("cli_vs_podman", Stats.median(ms.get(names.get(2))) / ours, "%.2f");
        return f;
    }

    private static double time(String name, List<String> command) {
        try {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.PIPE).start();
            String err = new String(p.getErrorStream().readAllBytes());
            int exit = p.waitFor();
            double elapsed = (System.nanoTime() - t0) / 1e6;
            if (exit != 0) {
                throw new IllegalStateException(name + " failed (exit " + exit + "): " + err.strip());
            }
            return elapsed;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
