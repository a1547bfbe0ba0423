package io.overlaynet.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@code overlaynet-cni} executable, built from {@code src/main/c} with the system's C compiler
 * into {@code target/}, and run exactly as a runtime runs it: CNI_* variables, configuration on stdin,
 * inside the network namespace of the host it acts for.
 */
public final class CniShim {
    private static Path built;

    private CniShim() {
    }

    /** The executable, built once per test JVM. */
    public static synchronized Path binary() throws IOException, InterruptedException {
        if (built == null) {
            Path out = Path.of("target", "overlaynet-cni").toAbsolutePath();
            Process cc = new ProcessBuilder("cc", "-O2", "-Wall", "-Werror", "-o", out.toString(),
                    Path.of("src", "main", "c", "overlaynet-cni.c").toString()).redirectErrorStream(true).start();
            String log = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (cc.waitFor() != 0) {
                throw new IllegalStateException("cc failed:\n" + log);
            }
            built = out;
        }
        return built;
    }

    /**
     * Runs one CNI call inside {@code hostNs} (the simulated host whose agent should answer).
     *
     * @param env CNI_COMMAND, CNI_CONTAINERID, ... as the runtime would set them
     */
    public static Proc.Result run(String hostNs, Map<String, String> env, String config) throws IOException,
            InterruptedException {
        Map<String, String> all = new java.util.HashMap<>(env);
        for (String k : List.of("CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH")) {
            all.putIfAbsent(k, "");
        }
        return Proc.run(List.of("nsenter", "--net=/run/netns/" + hostNs, binary().toString()), all, config, 30);
    }

    /** Files of the CNI spool for a host namespace, as the executable writes them when no agent answers. */
    public static List<Path> spooled(String hostNs) throws IOException {
        long ino = ((Number) Files.getAttribute(Path.of("/run/netns", hostNs), "unix:ino")).longValue();
        Path dir = Path.of("/run/overlaynet/cni-spool", Long.toString(ino));
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            return s.toList();
        }
    }
}
