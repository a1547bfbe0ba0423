package io.overlaynet.lab;

import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lab with one agent per host, both agent modes, both stores: every pair answers; down leaves nothing. */
class LabAgentsTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @ParameterizedTest
    @CsvSource({"proactive,file", "reactive,file", "proactive,etcd", "reactive,etcd"})
    void allPairsAnswerAndDownStopsExactlyWhatUpStarted(String mode, String store) {
        LabRecord lab = fixture.lab().upWithAgents(3, mode.equals("reactive"), store);
        assertEquals(3, lab.agentPids().size());
        assertEquals(store.equals("etcd") ? 1 : 0, lab.etcdPids().size());
        List<LabPing.Result> results = LabPing.all(lab);
        List<String> failed = results.stream().filter(r -> !r.ok()).map(r -> r.from().ip() + "->" + r.to().ip()).toList();
        assertTrue(failed.isEmpty(), mode + "/" + store + ": unanswered " + failed);

        assertTrue(fixture.lab().down());
        for (long pid : lab.agentPids()) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "agent " + pid + " still runs");
        }
        for (long pid : lab.etcdPids()) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "etcd " + pid + " still runs");
        }
        assertFalse(NetNamespaces.list().stream().anyMatch(n -> n.startsWith(fixture.prefix)));
    }
}
