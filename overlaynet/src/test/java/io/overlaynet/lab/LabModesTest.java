package io.overlaynet.lab;

import io.overlaynet.dataplane.Mode;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** All-pairs reachability across 3 simulated hosts with real ping, in each of the four modes. */
class LabModesTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @org.junit.jupiter.api.Test
    void refusedLabsMakeNothing() {
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> fixture.up(0, new Mode.Static())).getMessage().contains("--hosts 0 is out of range"));
        io.overlaynet.netlink.testing.Sh.run("ip", "netns", "add", fixture.ns("h2")).ok();
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> fixture.up(3, new Mode.Static()));
        assertTrue(e.getMessage().contains(fixture.ns("h2")) && e.getMessage().contains("already exists"), e.getMessage());
        assertEquals(List.of(fixture.ns("h2")),
                NetNamespaces.list().stream().filter(n -> n.startsWith(fixture.prefix)).toList(),
                "nothing but the namespace that was in the way");
        assertFalse(fixture.lab().record().isPresent());
    }

    @ParameterizedTest
    @ValueSource(strings = {"static", "learning", "multicast:239.1.1.1", "flood"})
    void everyContainerReachesEveryOther(String mode) {
        LabRecord lab = fixture.up(3, Mode.parse(mode));
        assertEquals(5, lab.containers().size());
        List<LabPing.Result> results = LabPing.all(lab);
        assertEquals(20, results.size());
        List<String> failed = results.stream().filter(r -> !r.ok())
                .map(r -> r.from().ip() + "->" + r.to().ip()).toList();
        assertTrue(failed.isEmpty(), mode + ": unanswered " + failed);

        assertTrue(fixture.lab().down());
        assertFalse(NetNamespaces.list().stream().anyMatch(n -> n.startsWith(fixture.prefix)),
                "lab down must remove every namespace it made");
        assertFalse(fixture.lab().down(), "a second down finds nothing");
    }
}
