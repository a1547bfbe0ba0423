package io.overlaynet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * The {@code overlaynet} command. Exit codes: 0 success, 1 runtime failure, 2 usage error. Errors
 * are one line on stderr; set {@code OVERLAYNET_DEBUG=1} for stack traces.
 */
@Command(name = "overlaynet", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Joins containers on many Linux hosts into isolated layer-2 networks over VXLAN.")
public final class Main implements Runnable {
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    /** The commands, in the order help lists them. */
    private static final List<Class<?>> COMMANDS = List.of(NetworkCommand.class, EndpointCommand.class, PeerCommand.class,
            ShowCommand.class, HostCommand.class, AgentCommand.class, StatusCommand.class, DoctorCommand.class,
            MonitorCommand.class, CaptureCommand.class, LabCommand.class, BenchCommand.class, CompletionCommand.class,
            HelpCommand.class);
    /**
     * Each command group's commands, in the order its help lists them. Kept here rather than in the
     * groups' annotations so that a run builds only the one it needs (see {@link #addCommands}).
     */
    private static final java.util.Map<Class<?>, List<Class<?>>> GROUPS = java.util.Map.of(
            NetworkCommand.class, List.of(NetworkCommand.Create.class, NetworkCommand.Remove.class,
                    NetworkCommand.ListNetworks.class, NetworkCommand.Inspect.class),
            EndpointCommand.class, List.of(EndpointCommand.Add.class, EndpointCommand.Remove.class,
                    EndpointCommand.ListEndpoints.class),
            PeerCommand.class, List.of(PeerCommand.Add.class, PeerCommand.Remove.class, PeerCommand.ListPeers.class),
            HostCommand.class, List.of(HostCommand.Reset.class, HostCommand.ListHosts.class),
            LabCommand.class, List.of(LabCommand.Up.class, LabCommand.Ping.class, LabCommand.Status.class,
                    LabCommand.Down.class, LabCommand.Ls.class, LabCommand.Demo.class, LabCommand.Doctor.class),
            BenchCommand.class, List.of(BenchCommand.Netlink.class, BenchCommand.Cli.class, BenchCommand.Attach.class,
                    BenchCommand.Throughput.class, BenchCommand.FirstPacket.class, BenchCommand.Converge.class,
                    BenchCommand.Churn.class, BenchCommand.Cni.class, BenchCommand.Scale.class));
    /** Options of the top-level command that take a value: the word after them is not a command. */
    private static final java.util.Set<String> VALUED = java.util.Set.of("--ns-prefix", "--state-dir", "--host-ns", "-o",
            "--output");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    GlobalOptions globals;

    /**
     * Options given before the command ({@code overlaynet --ns-prefix h1- -o json network ls}); null when
     * not given. {@link HostOptions} and the lab's options prefer the same option given after the command.
     */
    static final class GlobalOptions {
        @CommandLine.Option(names = "--ns-prefix", paramLabel = "P",
                description = "Prefix of the simulated host's namespaces, for the host-level command that follows "
                        + "(env OVERLAYNET_NS_PREFIX).")
        String nsPrefix;
        @CommandLine.Option(names = "--state-dir", paramLabel = "DIR",
                description = "State directory, for the host-level or lab command that follows "
                        + "(default /var/lib/overlaynet; env OVERLAYNET_STATE_DIR).")
        Path stateDir;
        @CommandLine.Option(names = "--host-ns", paramLabel = "NS",
                description = "Act as the host whose underlay is in namespace NS, for the host-level command that follows.")
        String hostNs;
        @CommandLine.Option(names = {"-o", "--output"}, paramLabel = "FORMAT",
                description = "text or json, for the command that follows (as if given after it).")
        String output;

        /**
         * An option's value for the command {@code spec}: its own when given after the command, else the
         * one given before the command, else its own default.
         */
        static <T> T resolve(CommandLine.Model.CommandSpec spec, String name, T own,
                             Function<GlobalOptions, T> global) {
            if (spec == null || spec.commandLine() == null) {
                return own;
            }
            CommandLine.ParseResult here = spec.commandLine().getParseResult();
            if (here != null && here.hasMatchedOption(name)) {
                return own;
            }
            T before = spec.root().userObject() instanceof Main main && main.globals != null
                    ? global.apply(main.globals) : null;
            return before != null ? before : own;
        }
    }

    public static void main(String[] args) {
        // Under 'ip netns exec', find the mount namespace for named namespaces while our parent lives.
        io.overlaynet.netlink.netns.NetNamespaces.captureHostMounts();
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (tests call this). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        addCommands(cl, args);
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setParameterExceptionHandler((ex, a) -> {
            String message = Typos.explain(ex, a).orElse(ex.getMessage());
            System.err.println("overlaynet: " + message + " (see '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return EXIT_USAGE;
        });
        cl.setExecutionStrategy(parsed -> {
            List<String> missing = needsPrivileges(parsed) ? Privileges.missing() : List.of();
            if (!missing.isEmpty()) {
                System.err.println("overlaynet: " + Privileges.error(missing));
                return EXIT_FAILURE;
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        return cl.execute(args);
    }

    /**
     * Builds only the command asked for: picocli reads every command's annotations when it adds it, and
     * for the whole tree that is most of a short command's start-up (~0.25 s of ~0.35 s, measured with
     * -Xlog:class+init). Help, completion, a word that is no command (to suggest the near one) and no
     * command at all get the whole tree.
     */
    private static void addCommands(CommandLine cl, String[] args) {
        String word = null;
        String second = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (VALUED.contains(a)) {
                i++;
            } else if (!a.startsWith("-")) {
                word = a;
                // A group's command comes right after the group's name ('network ls'); anything else
                // (an option, '--help') gets the whole group.
                second = i + 1 < args.length && !args[i + 1].startsWith("-") ? args[i + 1] : null;
                break;
            }
        }
        if (word == null && java.util.Arrays.stream(args).anyMatch(a -> a.equals("-V") || a.equals("--version"))) {
            return; // the version needs no command
        }
        String asked = word;
        boolean known = asked != null && COMMANDS.stream().anyMatch(c -> name(c).equals(asked));
        boolean all = !known || asked.equals("help") || asked.equals("completion");
        for (Class<?> c : COMMANDS) {
            if (all || name(c).equals(asked)) {
                cl.addSubcommand(name(c), group(c, all ? null : second));
            }
        }
    }

    /**
     * A command, with its group's commands when it is a group: only {@code only} when that names one of
     * them (~20 ms less for 'network ls' than all four), else all (help, a typo to suggest a near name).
     */
    private static CommandLine group(Class<?> c, String only) {
        CommandLine group = new CommandLine(c);
        List<Class<?>> members = GROUPS.getOrDefault(c, List.of());
        boolean one = only != null && members.stream().anyMatch(m -> name(m).equals(only));
        for (Class<?> m : members) {
            if (!one || name(m).equals(only)) {
                group.addSubcommand(name(m), new CommandLine(m));
            }
        }
        return group;
    }

    private static String name(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    /**
     * Whether the command line runs a command that touches the kernel or the state: everything except
     * help, version, usage and the completion script.
     */
    private static boolean needsPrivileges(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult last = parsed;
        while (true) {
            if (last.isUsageHelpRequested() || last.isVersionHelpRequested()) {
                return false;
            }
            if (!last.hasSubcommand()) {
                break;
            }
            last = last.subcommand();
        }
        Object command = last.commandSpec().userObject();
        return !(command instanceof Main || command instanceof CompletionCommand || command instanceof HelpCommand)
                && (command instanceof Runnable || command instanceof Callable<?>);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
