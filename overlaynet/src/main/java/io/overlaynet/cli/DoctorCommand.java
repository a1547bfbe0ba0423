package io.overlaynet.cli;

import io.overlaynet.dataplane.Endpoints;
import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.doctor.Doctor;
import io.overlaynet.doctor.Finding;
import io.overlaynet.doctor.HostView;
import io.overlaynet.lab.Lab;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code overlaynet doctor FROM TO}: why a container on this host cannot reach an IP. On a lab host it
 * sees every host of the lab; elsewhere it sees this host, and the others through the endpoints the
 * store (via this host's agent) and the peer records place behind each VTEP.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Walk the path from a container on this host to an IP, hop by hop, and name the first broken hop,",
            "its cause (a fixed code) and the fix. Exit 0 when the path is healthy, 1 when not.",
            "Causes: duplicate-mac, link-down, no-address, vni-mismatch, port-mismatch, mtu-mismatch,",
            "underlay-unreachable, agent-down, missing-arp, stale-arp, missing-fdb, wrong-vtep, learned-aged-out,",
            "forward-drop, unknown-endpoint, no-answer."})
final class DoctorCommand implements Callable<Integer> {
    @Mixin HostOptions host;
    @Parameters(index = "0", paramLabel = "FROM", description = "An endpoint on this host: its name or its namespace.")
    String from;
    @Parameters(index = "1", paramLabel = "TO", description = "The IP it should reach.")
    String to;

    @Override
    public Integer call() {
        boolean json = host.json();
        io.overlaynet.netlink.rtnl.Ip.parseV4(to);
        String prefix = host.prefix();
        Path stateDir = host.stateDir();
        Optional<String> hostNs = host.hostNs();
        Optional<Lab.Member> member = Lab.findHost(stateDir, h -> h.nsPrefix().equals(prefix)
                && hostNs.map(h.namespace()::equals).orElse(true));
        Doctor doctor;
        String here;
        if (member.isPresent()) {
            doctor = Doctor.ofLab(member.get().lab(), stateDir);
            here = member.get().host().name();
        } else {
            String network;
            try (Host h = host.open()) {
                network = new Endpoints(h).list(Optional.empty()).stream()
                        .filter(e -> e.name().equals(from) || e.namespace().equals(from))
                        .map(EndpointRecord::network).findFirst()
                        .orElseThrow(() -> noSuchEndpoint(from));
            }
            here = prefix.isEmpty() ? "this-host" : prefix.replaceAll("-$", "");
            doctor = Doctor.ofHost(new HostView.Spec(here, hostNs, prefix, stateDir), network,
                    host.agentNote().map(n -> n.store()).filter(s -> !s.isEmpty()));
        }
        var source = doctor.endpoint(from, Optional.of(here)).orElseThrow(() -> noSuchEndpoint(from));
        Finding f = doctor.diagnose(source, to);
        print(json, List.of(f));
        return f.ok() ? 0 : Main.EXIT_FAILURE;
    }

    private static IllegalArgumentException noSuchEndpoint(String name) {
        return new IllegalArgumentException("no endpoint named " + name + " (nor with that namespace) on this host: "
                + "list them with 'overlaynet endpoint ls'");
    }

    /** {@code doctor -o json}: one finding; {@code cause} and {@code rttMs} are null when they do not apply. */
    record FindingJson(String from, String to, boolean ok, String hop, String cause, String detail, String fix,
                       Double rttMs) {
        static FindingJson of(Finding f) {
            return new FindingJson(f.from(), f.to(), f.ok(), f.hop(), f.cause().map(c -> c.code()).orElse(null),
                    f.detail(), f.fix(), f.rttMs().orElse(null));
        }
    }

    /** Findings as JSON (one object for one finding, else an array), or as text with a closing tally. */
    static void print(boolean json, List<Finding> findings) {
        if (json) {
            List<FindingJson> out = findings.stream().map(FindingJson::of).toList();
            Out.json(out.size() == 1 ? out.getFirst() : out);
            return;
        }
        for (Finding f : findings) {
            if (f.ok()) {
                System.out.printf("%s -> %s: ok (%.3f ms)%n", f.from(), f.to(), f.rttMs().orElse(0.0));
            } else {
                System.out.printf("%s -> %s: %s at %s%n    %s%n    fix: %s%n", f.from(), f.to(), f.code(), f.hop(),
                        f.detail(), f.fix());
            }
        }
        if (findings.size() > 1) {
            Map<String, Integer> causes = new TreeMap<>();
            findings.stream().filter(f -> !f.ok()).forEach(f -> causes.merge(f.code(), 1, Integer::sum));
            long ok = findings.stream().filter(Finding::ok).count();
            System.out.printf("%d/%d pairs healthy%s%n", ok, findings.size(), causes.isEmpty() ? ""
                    : "; causes: " + String.join(", ", causes.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue()
                    + ")").toList()));
        }
    }
}
