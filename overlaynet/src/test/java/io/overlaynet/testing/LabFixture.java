package io.overlaynet.testing;

import io.overlaynet.dataplane.Mode;
import io.overlaynet.lab.Lab;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.netlink.netns.NetNamespaces;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A lab with a unique prefix and a temporary state directory per test. After each test, whatever
 * happened: lab down, then every namespace that still carries the prefix, then the state directory.
 */
public final class LabFixture implements AfterEachCallback {
    public final String prefix = "olt" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff)) + "-";
    public final Path stateDir;

    public LabFixture() {
        try {
            stateDir = Files.createTempDirectory("overlaynet-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Lab lab() {
        return new Lab(prefix, stateDir, System.out);
    }

    public LabRecord up(int hosts, Mode mode) {
        return lab().up(hosts, mode);
    }

    /** A namespace name with this test's prefix (cleaned up afterwards). */
    public String ns(String suffix) {
        return prefix + suffix;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            lab().down();
        } catch (RuntimeException e) {
            System.err.println("lab down failed: " + e.getMessage());
        }
        for (String n : NetNamespaces.list()) {
            if (n.startsWith(prefix)) {
                NetNamespaces.deleteIfExists(n);
            }
        }
        try (Stream<Path> s = Files.walk(stateDir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // already gone
        }
    }
}
