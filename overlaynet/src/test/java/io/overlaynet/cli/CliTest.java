package io.overlaynet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line: help, version, exit codes and one-line errors; the netlink, attach and throughput benches end to end. */
class CliTest {
    static Cli.Run cli(String... args) {
        return Cli.run(args);
    }

    @Test
    void helpAndVersion() {
        Cli.Run help = cli("--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("bench"), help.out());
        Cli.Run version = cli("--version");
        assertEquals(0, version.exit());
        assertTrue(version.out().startsWith("overlaynet "), version.out());
    }

    @Test
    void usageErrorsExitTwoWithOneLine() {
        for (Supplier<Cli.Run> r : List.<Supplier<Cli.Run>>of(() -> cli("no-such-command"),
                () -> cli("bench", "netlink", "--entries", "0"), () -> cli("bench", "netlink", "--entries", "x"))) {
            Cli.Run run = r.get();
            assertEquals(2, run.exit(), run.err());
            assertEquals(1, run.err().lines().count(), run.err());
            assertTrue(run.err().startsWith("overlaynet: "), run.err());
        }
        // The help it points to is the failing command's, by its full name.
        Cli.Run bad = cli("bench", "netlink", "--entries", "x");
        assertTrue(bad.err().strip().endsWith("(see 'overlaynet bench netlink --help')"), bad.err());
    }

    @Test
    void netlinkBenchRunsBothSidesAndPrintsTheRatio() {
        Cli.Run r = cli("bench", "netlink", "--entries", "300", "--rounds", "1", "--single-ops", "3");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("FDB add, entries/s (bridge -batch)"), r.out());
        List<String> lines = r.out().strip().lines().toList();
        double fdb = Cli.figure(lines.get(lines.size() - 3), "fdb_vs_bridge_batch");
        double neigh = Cli.figure(lines.get(lines.size() - 2), "neigh_vs_ip_batch");
        assertEquals(Math.min(fdb, neigh), Cli.figure(r.lastLine(), "netlink_vs_iproute2_batch"), r.out());
    }

    @Test
    void benchWithJsonOutputPrintsItsFiguresAsJsonAndTheReportOnStderr() {
        Cli.Run before = Cli.expect(0, List.of("-o", "json"), "bench", "netlink", "--entries", "300", "--rounds", "1",
                "--single-ops", "3");
        Cli.Run after = Cli.expect(0, List.of(), "bench", "netlink", "--entries", "300", "--rounds", "1",
                "--single-ops", "3", "--output", "json");
        for (Cli.Run r : List.of(before, after)) {
            JsonNode doc = r.json();
            assertEquals("netlink", doc.path("bench").asText(), r.out());
            assertEquals(3, doc.path("figures").size(), r.out());
            String lastReportLine = r.err().strip().lines().reduce((a, b) -> b).orElseThrow();
            assertEquals(Cli.figure(lastReportLine, "netlink_vs_iproute2_batch"),
                    doc.at("/figures/netlink_vs_iproute2_batch").asDouble(), r.out());
            assertTrue(r.err().contains("FDB add, entries/s (bridge -batch)"), r.err());
        }
    }

    @Test
    void attachBenchTimesBothSidesAndCleansUp() {
        Cli.Run r = cli("bench", "attach", "--endpoints", "5", "--jit-warmup", "0", "--warmup", "1");
        assertEquals(0, r.exit(), r.err());
        String row = r.out().lines().filter(l -> l.startsWith("attach: ")).findFirst().orElseThrow(() ->
                new AssertionError("no attach row in:\n" + r.out()));
        String[] f = row.trim().split("\\s+");
        assertTrue(Double.parseDouble(f[f.length - 2]) > 0 && Double.parseDouble(f[f.length - 1]) > 0, row);
        Cli.figure(r.lastLine(), "attach_speedup_vs_iproute2");
        assertTrue(NetNamespaces.list().stream().noneMatch(n -> n.startsWith("onbat")), NetNamespaces.list().toString());
    }

    /** The bench's table rows: a setting, then underlay, overlay, ratio, CPU per GB and retransmits. */
    private static List<String> throughputRows(Cli.Run r) {
        return r.out().lines()
                .filter(l -> l.matches(".*\\s+\\d+\\.\\d+\\s+\\d+\\.\\d+\\s+\\d+\\.\\d+\\s+\\d+\\.\\d+\\s+\\d+/\\d+"))
                .toList();
    }

    @Test
    void throughputBenchMeasuresEverySettingAndCleansUp() {
        Cli.Run r = cli("bench", "throughput", "--rounds", "1", "--seconds", "1", "--omit", "0");
        assertEquals(0, r.exit(), r.err());
        List<String> rows = throughputRows(r);
        assertEquals(14, rows.size(), r.out()); // thirteen settings, and the encrypted network's row
        for (String row : rows) {
            String[] f = row.trim().split("\\s+");
            assertTrue(Double.parseDouble(f[f.length - 5]) > 0 && Double.parseDouble(f[f.length - 4]) > 0,
                    "both paths carried traffic: " + row);
            assertTrue(Double.parseDouble(f[f.length - 2]) > 0, "the CPU per GB of both paths was counted: " + row);
        }
        assertTrue(rows.getFirst().startsWith("hand-built defaults"), rows.getFirst());
        assertTrue(rows.stream().anyMatch(row -> row.contains("(iperf3 -P 2)")), r.out());
        assertTrue(rows.stream().anyMatch(row -> row.contains("the kernel's TCP MSS")), r.out());
        assertTrue(rows.get(rows.size() - 6).contains("congctl"), r.out());
        assertTrue(rows.get(rows.size() - 5).contains("--attach bridge"), r.out());
        assertTrue(rows.get(rows.size() - 4).startsWith("flannel-style"), r.out());
        assertTrue(rows.get(rows.size() - 3).contains("without the VTEP allow-list"), r.out());
        assertTrue(rows.get(rows.size() - 2).startsWith("overlaynet defaults"), rows.get(rows.size() - 2));
        assertTrue(rows.getLast().contains("--encrypt"), rows.getLast());
        // The headline runs first and last in the round: 14 runs for 13 rows.
        String round = r.out().lines().filter(l -> l.contains("round 1/1")).findFirst().orElseThrow();
        assertTrue(round.contains("(the headline first and last)"), round);
        assertEquals(14, round.substring(round.lastIndexOf(':') + 1).trim().split("\\s+").length, round);
        Cli.figure(r.lastLine(), "overlay_vs_underlay");
        assertTrue(r.out().lines().anyMatch(l -> l.matches("overlay_cpu_per_gb_vs_underlay \\d+\\.\\d+")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("overlay_vs_underlay_over_handbuilt \\d+\\.\\d+")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("allow_list_cost_pct -?\\d+\\.\\d+")), r.out());
        for (String f : List.of("bridge_vs_underlay", "bridge_over_default", "flannel_style_vs_underlay",
                "flannel_style_over_default", "unpaced_overlay_vs_underlay")) {
            assertTrue(r.out().lines().anyMatch(l -> l.matches(f + " \\d+\\.\\d+")), f + " in " + r.out());
        }
        assertTrue(r.out().contains("WireGuard: wireguard-go"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("encrypted_vs_underlay \\d+\\.\\d+")), r.out());
        assertTrue(NetNamespaces.list().stream().noneMatch(n -> n.startsWith("onbtw")), NetNamespaces.list().toString());
        assertTrue(NetNamespaces.list().stream().noneMatch(n -> n.startsWith("onbtp")), NetNamespaces.list().toString());
    }

    @Test
    void throughputBenchCanRunTheHeadlineAlone() {
        Cli.Run r = cli("bench", "throughput", "--headline-only", "--rounds", "2", "--seconds", "1", "--omit", "0");
        assertEquals(0, r.exit(), r.err());
        List<String> rows = throughputRows(r);
        assertEquals(1, rows.size(), r.out());
        assertTrue(rows.getFirst().startsWith("overlaynet defaults"), rows.getFirst());
        assertEquals(2, r.out().lines().filter(l -> l.matches("\\s+round \\d/2, overlay/underlay per run: \\d+\\.\\d+"))
                .count(), "two rounds of one setting: " + r.out());
        Cli.figure(r.lastLine(), "overlay_vs_underlay");
        assertTrue(r.out().lines().noneMatch(l -> l.startsWith("overlay_vs_underlay_over_handbuilt")),
                "no hand-built row ran, so no figure against it: " + r.out());
        assertTrue(NetNamespaces.list().stream().noneMatch(n -> n.startsWith("onbtp")), NetNamespaces.list().toString());
    }
}
