package io.overlaynet.cli;

import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.state.Trees;
import io.overlaynet.testing.Cli;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without CAP_NET_ADMIN and CAP_SYS_ADMIN (root with both dropped from its bounding set, so files stay
 * readable), a command that touches the kernel is refused in one line before it starts; help, version
 * and the completion script still work.
 */
class PrivilegesCliTest {
    @Test
    void withoutTheCapabilitiesCommandsAreRefusedInOneLineAndMakeNothing() throws Exception {
        Path state = Files.createTempDirectory("overlaynet-test-");
        String name = "oltp" + ProcessHandle.current().pid() + "-";
        try {
            Sh.Result create = unprivileged("--ns-prefix", name, "--state-dir", state.toString(),
                    "network", "create", "demo", "--vni", "42", "--subnet", "12.12.12.0/24");
            assertEquals(1, create.exit(), create.err());
            assertEquals("overlaynet: this command needs root: it lacks CAP_NET_ADMIN and CAP_SYS_ADMIN here; run it with sudo",
                    create.err().strip());
            assertFalse(NetNamespaces.list().stream().anyMatch(n -> n.startsWith(name)), "no namespace made");
            try (var files = Files.list(state)) {
                assertEquals(0, files.count(), "nothing written to the state directory");
            }

            assertEquals(1, unprivileged("lab", "ls").exit());
            assertEquals(0, unprivileged("--help").exit());
            assertEquals(0, unprivileged("network", "create", "--help").exit());
            Sh.Result completion = unprivileged("completion");
            assertEquals(0, completion.exit(), completion.err());
            assertTrue(completion.out().contains("complete -F"), "a completion script");
        } finally {
            Trees.remove(state);
        }
    }

    /** The CLI in a fresh JVM on this test's class path, as root without the two capabilities. */
    private static Sh.Result unprivileged(String... args) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set", "-net_admin,-sys_admin",
                "--inh-caps", "-net_admin,-sys_admin"));
        cmd.addAll(Cli.inOwnJvm(args));
        return Sh.run(cmd.toArray(String[]::new));
    }
}
