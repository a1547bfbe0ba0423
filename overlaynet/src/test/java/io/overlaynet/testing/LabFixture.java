package io.overlaynet.testing;

import io.overlaynet.dataplane.Mode;
import io.overlaynet.lab.Lab;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.state.Trees;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

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

    /**
     * The options that make a CLI command act as lab host {@code h}, with namespaces named under
     * {@code nsPrefix} (one of the host's, so cleanup finds them) and this test's state directory.
     */
    public List<String> actAs(LabHost h, String nsPrefix) {
        return List.of("--host-ns", h.namespace(), "--ns-prefix", nsPrefix, "--state-dir", stateDir.toString());
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
        try {
            Trees.remove(stateDir);
        } catch (RuntimeException e) {
            System.err.println("state dir removal failed: " + e.getMessage());
        }
    }
}
