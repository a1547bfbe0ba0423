package io.overlaynet.cli;

import io.overlaynet.netlink.testing.Sh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What bin/install does to picocli's Java 5 classes: every one comes out as a Java 7 class, and a JVM
 * that checks Java 7 frames strictly links and runs them (a wrong frame would be a VerifyError).
 */
class JarUpgradeTest {
    private static int major(byte[] b) {
        return ((b[6] & 0xff) << 8) | (b[7] & 0xff);
    }

    private static List<Integer> majors(Path jar, String prefix) throws Exception {
        List<Integer> out = new ArrayList<>();
        try (JarFile j = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> e = j.entries();
            while (e.hasMoreElements()) {
                JarEntry x = e.nextElement();
                if (x.getName().startsWith(prefix) && x.getName().endsWith(".class")) {
                    try (InputStream in = j.getInputStream(x)) {
                        out.add(major(in.readAllBytes()));
                    }
                }
            }
        }
        return out;
    }

    @Test
    void picocliComesOutAsJava7AndVerifies(@TempDir Path dir) throws Exception {
        Path picocli = Path.of(picocli.CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(majors(picocli, "picocli/").contains(49), "picocli as published is Java 5: " + picocli);
        Path out = dir.resolve("upgraded.jar");
        JarUpgrade.main(new String[]{picocli.toString(), out.toString()});
        List<Integer> after = majors(out, "picocli/");
        assertTrue(!after.isEmpty() && after.stream().allMatch(m -> m == 51), "every class is Java 7: " + after);
        assertEquals(majors(picocli, "picocli/").size(), after.size(), "no class lost");

        // A JVM of its own parses a command line with the rewritten picocli (help, an option, an error).
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Sh.Result r = Sh.run(java, "-Xshare:off", "-cp", out + ":" + Path.of(JarUpgradeTest.class.getProtectionDomain()
                .getCodeSource().getLocation().toURI()), "io.overlaynet.cli.JarUpgradeTest$Probe").ok();
        assertTrue(r.out().contains("count=3") && r.out().contains("Usage: probe"), r.out());
        assertTrue(r.err().contains("Unknown option: '--bogus'"), r.err());
    }

    /** Runs in the JVM of the test above: picocli from the rewritten jar, parsing and printing help. */
    public static final class Probe {
        @picocli.CommandLine.Command(name = "probe", mixinStandardHelpOptions = true)
        static final class Cmd implements Runnable {
            @picocli.CommandLine.Option(names = "--count")
            int count;

            public void run() {
                System.out.println("count=" + count);
            }
        }

        public static void main(String[] args) {
            String from = picocli.CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toString();
            if (!from.endsWith("upgraded.jar")) {
                throw new IllegalStateException("picocli came from " + from);
            }
            new picocli.CommandLine(new Cmd()).execute("--count", "3");
            new picocli.CommandLine(new Cmd()).execute("--help");
            new picocli.CommandLine(new Cmd()).execute("--bogus");
        }
    }
}
