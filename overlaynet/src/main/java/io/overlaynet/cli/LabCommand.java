package io.overlaynet.cli;

import io.overlaynet.dataplane.Attach;
import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.lab.Lab;
import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.Container;
import io.overlaynet.lab.LabRecord.LabHost;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code overlaynet lab up|ping|status|down|ls|demo}: the walkthroughs' scenario on simulated hosts. */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = "Simulated hosts on one machine (network namespaces) running the walkthroughs' scenario.")
final class LabCommand {

    /** --state-dir and -o, which every lab command takes. */
    static class StateOptions {
        @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "${env:OVERLAYNET_STATE_DIR:-/var/lib/overlaynet}",
                description = "State directory (default ${DEFAULT-VALUE}).")
        Path stateDir = Host.DEFAULT_STATE_ROOT;
        @Mixin OutputFormat format;
        @Spec
        CommandSpec spec;

        boolean json() {
            return format.json();
        }

        /** --state-dir given here, else before 'lab', else the default. */
        Path stateDir() {
            return Main.GlobalOptions.resolve(spec, "--state-dir", stateDir, g -> g.stateDir);
        }
    }

    /** The options of a command about one lab: which (--prefix), and the common ones. */
    static class LabOptions extends StateOptions {
        @Option(names = "--prefix", paramLabel = "P",
                defaultValue = "lab-", description = "Prefix of every lab namespace (default ${DEFAULT-VALUE}).")
        String prefix;

        Lab lab() {
            return new Lab(prefix, stateDir(), System.out);
        }

        /** This lab's record; when it is not up, the error names the labs that are. */
        LabRecord record() {
            return lab().record().orElseThrow(() -> {
                List<String> up = Lab.all(stateDir()).stream().map(LabRecord::prefix).toList();
                return new IllegalStateException("no lab with prefix " + prefix + " is up: "
                        + (up.isEmpty() ? "" : "the lab" + (up.size() == 1 ? " up here is " : "s up here are ")
                        + String.join(", ", up) + " (pick one with --prefix), or ")
                        + "start one with 'overlaynet lab up --prefix " + prefix + "'");
            });
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true, description = "Build the underlay, N hosts, network demo and the walkthroughs' containers.")
    static final class Up extends LabOptions implements Callable<Integer> {
        @Option(names = "--hosts", paramLabel = "N",
                defaultValue = "3", description = "Number of hosts (default ${DEFAULT-VALUE}).") int hosts;
        @Option(names = "--mode", paramLabel = "MODE", defaultValue = "static", description = {
            "static | learning | multicast[:group] | flood: wired by overlaynet commands, no agents;",
            "proactive | reactive: one agent per host over a store (default ${DEFAULT-VALUE})."})
        String mode;
        @Option(names = "--store", paramLabel = "STORE",
                description = "file | etcd, for proactive and reactive (default file; etcd starts a "
                + "real etcd on 127.0.0.1).")
        Optional<String> store;
        @Option(names = "--no-allow-list", description = {"Build the network without the VTEP allow-list: any sender on "
                + "the underlay can inject frames (multicast mode is always built so)."})
        boolean noAllowList;
        @Option(names = "--tls", description = {"With --store etcd: etcd serves clients over TLS only, asks for a client "
                + "certificate", "and authenticates them as user overlaynet (certificates made with openssl)."})
        boolean tls;
        @Option(names = "--encrypt", description = {"With an agents' mode: VXLAN between hosts inside WireGuard "
                + "(wireguard-go here)."})
        boolean encrypt;
        @Option(names = "--attach", paramLabel = "HOW", defaultValue = "macvlan", description = {"How every host attaches "
                + "the containers: macvlan (children of the VXLAN device) or bridge (veth + bridge) (default "
                + "${DEFAULT-VALUE})."})
        String attach;

        @Override
        public Integer call() {
            boolean json = json();
            Attach how = Attach.parse(attach);
            Optional<LabRecord> have = lab().record();
            LabRecord r = have.isPresent() ? same(have.get()) : start(this, hosts, mode, store, noAllowList, tls, encrypt,
                    how);
            if (json) {
                Out.json(r);
            } else {
                describe(r, have.isPresent() ? "already up" : "up");
            }
            return 0;
        }

        /**
         * 'lab up' again with the same hosts, mode and store is a no-op when every namespace and agent of
         * it is still there; anything else is refused, naming what differs or what is gone.
         */
        private LabRecord same(LabRecord r) {
            if (!r.complete()) {
                throw new IllegalStateException("lab " + prefix + " was cut short while it was being built: "
                        + "'overlaynet lab down --prefix " + prefix + "', then up again");
            }
            boolean agents = withAgents(mode, store);
            String wantMode = agents ? mode : Mode.parse(mode).toString();
            String wantStore = agents ? store.orElse("file") : "";
            String haveStore = r.storeKind();
            if (r.hosts().size() != hosts || !r.mode().equals(wantMode) || !haveStore.equals(wantStore)) {
                throw new IllegalArgumentException("lab " + prefix + " is up with " + r.hosts().size() + " hosts, mode "
                        + r.mode() + (haveStore.isEmpty() ? "" : ", store " + haveStore) + "; asked for " + hosts
                        + " hosts, mode " + mode + store.map(x -> ", store " + x).orElse("") + ": 'overlaynet lab down --prefix "
                        + prefix + "' first, or use another --prefix");
            }
            if (!r.attach().equals(attach)) {
                throw new IllegalArgumentException("lab " + prefix + " is up with containers attached by " + r.attach()
                        + "; asked for " + attach + ": 'overlaynet lab down --prefix " + prefix + "' first, or use another "
                        + "--prefix");
            }
            StatusJson now = StatusJson.of(lab(), r);
            List<String> gone = new ArrayList<>(now.missingNamespaces());
            if (!gone.isEmpty()) {
                throw new IllegalStateException("lab " + prefix + " is recorded as up but " + String.join(", ", gone)
                        + (gone.size() == 1 ? " is" : " are") + " gone: 'overlaynet lab down --prefix " + prefix
                        + "', then up again");
            }
            // A dead agent is what a host restart would bring back: start it again, as its host would.
            for (String silent : now.silentAgents()) {
                LabHost h = r.hosts().stream().filter(x -> x.name().equals(silent)).findFirst().orElseThrow();
                long pid = lab().startAgent(h);
                if (!json()) {
                    System.out.println("the agent of " + silent + " was not running: started it again (pid " + pid + ")");
                }
            }
            return lab().record().orElse(r);
        }
    }

    /**
     * Builds the lab. Ctrl-C (or SIGTERM) meanwhile stops it at its next step and removes what it made
     * before the process ends, so nothing is left half-built.
     */
    static LabRecord start(LabOptions o, int hosts, String mode, Optional<String> store, boolean open, boolean tls,
                           boolean encrypt, Attach attach) {
        boolean agents = withAgents(mode, store);
        Mode plain = agents ? null : Mode.parse(mode);
        if (agents && store.orElse("file").equals("etcd")) {
            io.overlaynet.lab.Tools.require("etcd", "etcd-server", "--store etcd");
        }
        Lab lab = o.lab();
        if (open) {
            lab.withoutAllowList();
        }
        if (tls) {
            lab.withTls();
        }
        if (encrypt) {
            lab.withEncryption();
        }
        lab.attachedBy(attach);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            lab.cancel();
            try {
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lab-up-interrupted");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return agents ? lab.upWithAgents(hosts, mode.equals("reactive"), store.orElse("file")) : lab.up(hosts, plain);
        } catch (RuntimeException e) {
            if (lab.cancelled()) {
                ErrorHandler.report(e); // before the hook lets the process end
                throw new ErrorHandler.AlreadyReported(e);
            }
            throw e;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it has just been released
            }
        }
    }

    /** Whether {@code mode} runs agents (proactive, reactive); only those take a --store. */
    static boolean withAgents(String mode, Optional<String> store) {
        boolean agents = mode.equals("proactive") || mode.equals("reactive");
        if (!agents && store.isPresent()) {
            throw new IllegalArgumentException("--store needs --mode proactive or reactive (agents use the store)");
        }
        return agents;
    }

    static void describe(LabRecord r) {
        describe(r, "up");
    }

    /** The lab in a few lines; {@code state} is "up" or "already up". */
    static void describe(LabRecord r, String state) {
        System.out.printf("lab %s %s: %d hosts on underlay %s (bridge ubr0, 192.168.104.0/24), network %s "
                + "(VNI 42, 12.12.12.0/24, MTU 1450), mode %s, containers on %s%s%n", r.prefix(), state, r.hosts().size(),
                r.underlayNamespace(), r.network(), r.mode(), r.attach().equals("bridge") ? "veth + bridge" : r.attach(),
                r.agents() ? ", agents over " + r.store() + " (pids " + r.agentPids() + "), egress to the outside at "
                        + Lab.OUTSIDE.getHostAddress() : "");
        int nsWidth = r.hosts().stream().mapToInt(h -> h.namespace().length() + 1).max().orElse(0);
        int ovlWidth = r.hosts().stream().mapToInt(h -> h.overlayNamespace().length() + 1).max().orElse(0);
        for (LabHost h : r.hosts()) {
            List<String> cs = h.containers().stream().map(c -> c.name() + " " + c.ip()).toList();
            System.out.printf("  %-6s netns %-" + Math.max(10, nsWidth) + "s eth1 %-15s overlay %-" + ovlWidth
                    + "s containers: %s%n", h.name(), h.namespace(), h.address(), h.overlayNamespace(), String.join(", ", cs));
        }
    }

    @Command(name = "ping", mixinStandardHelpOptions = true, description = "Every container pings every other; exit 0 only if all answer.")
    static final class Ping extends LabOptions implements Callable<Integer> {
        @Override
        public Integer call() {
            boolean json = json();
            LabRecord r = record();
            List<LabPing.Result> results = LabPing.all(r);
            long failed = results.stream().filter(x -> !x.ok()).count();
            if (json) {
                Out.json(results.stream().map(x -> new PingJson(x.from().name() + "@" + hostOf(r, x.from()),
                        x.from().ip(), x.to().ip(), x.rttMs().orElse(null))).toList());
            } else {
                printMatrix(r, results);
                System.out.printf("%d/%d pairs answered%n", results.size() - failed, results.size());
                if (failed > 0) {
                    System.out.println("why: overlaynet lab doctor --prefix " + prefix);
                }
            }
            return failed == 0 ? 0 : Main.EXIT_FAILURE;
        }
    }

    /** {@code lab demo -o json}: the lab, every pair's ping, and how to remove it. */
    record DemoJson(LabRecord lab, List<PingJson> ping, long answered, int pairs, boolean replacedEarlierLab,
                    String remove) {
    }

    /** One pair of {@code lab ping -o json}; {@code rttMs} is null when the pair did not answer. */
    record PingJson(String from, String fromIp, String toIp, Double rttMs) {
    }

    static void printMatrix(LabRecord r, List<LabPing.Result> results) {
        List<Container> cs = r.containers();
        List<String> header = new ArrayList<>(List.of("from \\ to (ms)"));
        cs.forEach(c -> header.add(c.ip()));
        List<List<String>> rows = new ArrayList<>();
        for (Container a : cs) {
            List<String> row = new ArrayList<>(List.of(a.name() + "@" + hostOf(r, a) + " " + a.ip()));
            for (Container b : cs) {
                row.add(a == b ? "-" : results.stream().filter(x -> x.from() == a && x.to() == b).findFirst()
                        .flatMap(LabPing.Result::rttMs).map(ms -> String.format("%.3f", ms)).orElse("FAIL"));
            }
            rows.add(row);
        }
        Out.table(header, rows);
    }

    private static String hostOf(LabRecord r, Container c) {
        return r.hosts().stream().filter(h -> h.containers().contains(c)).map(LabHost::name).findFirst().orElse("?");
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "What the lab holds, and whether its namespaces (and agents) are still there.")
    static final class Status extends LabOptions implements Callable<Integer> {
        @Override
        public Integer call() {
            boolean json = json();
            LabRecord r = record();
            StatusJson status = StatusJson.of(lab(), r);
            List<String> missing = status.missingNamespaces();
            List<String> silent = status.silentAgents();
            if (json) {
                Out.json(status);
            } else {
                describe(r);
                if (!r.complete()) {
                    System.out.println("cut short while it was being built: 'overlaynet lab down --prefix " + prefix + "'");
                }
                System.out.println(missing.isEmpty() ? "all namespaces present"
                        : missing.size() + " namespace(s) missing: " + String.join(", ", missing));
                if (r.agents()) {
                    for (AgentJson a : status.agents()) {
                        System.out.printf("  %-6s agent pid %d %s, socket %s, log %s%n", a.host(), a.pid(),
                                a.answers() ? "answers" : "DOES NOT ANSWER", a.socket(), a.log());
                    }
                    System.out.println(silent.isEmpty() ? "every agent answers"
                            : "no answer from the agent of " + String.join(", ", silent)
                            + ": 'overlaynet lab up --prefix " + prefix + "' with the same options starts it again");
                }
            }
            return r.complete() && missing.isEmpty() && silent.isEmpty() ? 0 : Main.EXIT_FAILURE;
        }
    }

    /** {@code lab status -o json}: the lab's record, its namespaces that are gone, hosts whose agent is silent. */
    record StatusJson(LabRecord lab, List<String> missingNamespaces, List<String> silentAgents, List<AgentJson> agents) {
        /** Looks at the kernel's namespaces and the agents' sockets now. */
        static StatusJson of(Lab lab, LabRecord r) {
            List<String> silent = lab.silentAgents(r);
            List<AgentJson> agents = new ArrayList<>();
            for (int i = 0; r.agents() && i < r.hosts().size(); i++) {
                LabHost h = r.hosts().get(i);
                agents.add(new AgentJson(h.name(), i < r.agentPids().size() ? r.agentPids().get(i) : -1,
                        lab.agentSocket(h).toString(), lab.agentLog(h).toString(), !silent.contains(h.name())));
            }
            return new StatusJson(r, Lab.missingNamespaces(r), silent, agents);
        }
    }

    /** One lab host's agent: its process, API socket and log, and whether it answers. */
    record AgentJson(String host, long pid, String socket, String log, boolean answers) {
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Remove exactly what 'lab up' made (--all: every lab recorded here). Idempotent.")
    static final class Down extends LabOptions implements Callable<Integer> {
        @Option(names = "--all", description = "Every lab recorded in the state directory, whatever its prefix.")
        boolean all;

        @Override
        public Integer call() {
            if (all && spec.commandLine().getParseResult().hasMatchedOption("--prefix")) {
                throw new IllegalArgumentException("--all and --prefix do not go together: give one of them");
            }
            List<String> prefixes = all ? Lab.all(stateDir()).stream().map(LabRecord::prefix).toList() : List.of(prefix);
            Out.Removals done = new Out.Removals(json());
            if (prefixes.isEmpty() && !json()) {
                System.out.println("no lab recorded in " + stateDir() + ": nothing to remove");
            }
            for (String p : prefixes) {
                done.add("lab", p, new Lab(p, stateDir(), System.out).down());
            }
            done.finish();
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = "Every lab recorded in the state directory, and whether its namespaces and agents are there.")
    static final class Ls extends StateOptions implements Callable<Integer> {
        @Override
        public Integer call() {
            List<StatusJson> labs = Lab.all(stateDir()).stream()
                    .map(r -> StatusJson.of(new Lab(r.prefix(), stateDir(), System.out), r)).toList();
            if (json()) {
                Out.json(labs);
                return 0;
            }
            List<List<String>> rows = labs.stream().map(l -> List.of(l.lab().prefix(),
                    Integer.toString(l.lab().hosts().size()), l.lab().mode(),
                    l.lab().agents() ? l.lab().storeKind() : "-", health(l))).toList();
            Out.table(List.of("PREFIX", "HOSTS", "MODE", "STORE", "STATE"), rows);
            return 0;
        }

        private static String health(StatusJson l) {
            List<String> wrong = new ArrayList<>();
            if (!l.lab().complete()) {
                wrong.add("cut short while being built");
            }
            if (!l.missingNamespaces().isEmpty()) {
                wrong.add(l.missingNamespaces().size() + " namespace(s) missing");
            }
            if (!l.silentAgents().isEmpty()) {
                wrong.add("silent agent(s): " + String.join(",", l.silentAgents()));
            }
            return wrong.isEmpty() ? "up" : String.join("; ", wrong);
        }
    }

    @Command(name = "doctor", mixinStandardHelpOptions = true,
            description = {"For every pair of the lab's containers (or one: --from NAME@HOST --to IP), walk the path and name",
                "the first broken hop with its cause code and fix (see 'overlaynet doctor --help'). Exit 0 when all are healthy."})
    static final class Doctor extends LabOptions implements Callable<Integer> {
        @Option(names = "--from", paramLabel = "NAME[@HOST]", description = "One source container (e.g. pinkns@node1).")
        Optional<String> from;
        @Option(names = "--to", paramLabel = "IP", description = "With --from: the IP it should reach.")
        Optional<String> to;

        @Override
        public Integer call() {
            boolean json = json();
            if (from.isPresent() != to.isPresent()) {
                throw new IllegalArgumentException("--from and --to go together: give both, or neither for every pair");
            }
            LabRecord r = record();
            io.overlaynet.doctor.Doctor d = io.overlaynet.doctor.Doctor.ofLab(r, stateDir());
            List<io.overlaynet.doctor.Finding> findings;
            if (from.isPresent()) {
                String[] parts = from.get().split("@", 2);
                var source = d.endpoint(parts[0], parts.length > 1 ? Optional.of(parts[1]) : Optional.empty())
                        .orElseThrow(() -> new IllegalArgumentException("no container " + from.get() + " in lab " + prefix
                                + ": they are " + String.join(", ", d.endpoints().stream().map(e -> e.label()).toList())));
                findings = List.of(d.diagnose(source, to.get()));
            } else {
                findings = d.all();
            }
            DoctorCommand.print(json, findings);
            return findings.stream().allMatch(io.overlaynet.doctor.Finding::ok) ? 0 : Main.EXIT_FAILURE;
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "lab up (3 hosts, static), ping every pair, show node1's tables; the lab stays up for you to explore.")
    static final class Demo extends LabOptions implements Callable<Integer> {
        @Option(names = "--mode", paramLabel = "MODE", defaultValue = "static", description = "As for 'lab up' (default ${DEFAULT-VALUE}).")
        String mode;
        @Option(names = "--store", paramLabel = "STORE", description = "file | etcd, for proactive and reactive.") Optional<String> store;

        @Override
        public Integer call() {
            boolean json = json();
            Lab lab = lab();
            boolean replaced = lab.down();
            LabRecord r = start(this, 3, mode, store, false, false, false, Attach.DEFAULT);
            List<LabPing.Result> results = LabPing.all(r);
            long failed = results.stream().filter(x -> !x.ok()).count();
            String where = stateDir().equals(Host.DEFAULT_STATE_ROOT) ? "" : " --state-dir " + stateDir();
            if (json) {
                Out.json(new DemoJson(r, results.stream().map(x -> new PingJson(x.from().name() + "@" + hostOf(r, x.from()),
                        x.from().ip(), x.to().ip(), x.rttMs().orElse(null))).toList(), results.size() - failed,
                        results.size(), replaced, "overlaynet lab down --prefix " + prefix + where));
                return failed == 0 ? 0 : Main.EXIT_FAILURE;
            }
            if (replaced) {
                System.out.println("lab " + prefix + " was up: removed it first");
            }
            describe(r);
            System.out.println();
            printMatrix(r, results);
            System.out.printf("%d/%d pairs answered%n%n", results.size() - failed, results.size());
            if (failed > 0) {
                System.out.println("why: overlaynet lab doctor --prefix " + prefix + where + "\n");
            }
            LabHost h1 = r.hosts().getFirst();
            System.out.println("node1 ARP table (overlaynet show arp --host-ns " + h1.namespace() + " --ns-prefix " + h1.nsPrefix() + "):");
            Main.run("show", "arp", "--host-ns", h1.namespace(), "--ns-prefix", h1.nsPrefix(), "--state-dir", stateDir().toString());
            System.out.println("node1 FDB table (overlaynet show fdb ...):");
            Main.run("show", "fdb", "--host-ns", h1.namespace(), "--ns-prefix", h1.nsPrefix(), "--state-dir", stateDir().toString());
            System.out.println();
            System.out.println("the lab stays up; remove it with: bin/overlaynet lab down --prefix " + prefix + where);
            return failed == 0 ? 0 : Main.EXIT_FAILURE;
        }
    }
}
