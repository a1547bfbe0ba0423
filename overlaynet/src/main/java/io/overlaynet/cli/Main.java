package io.overlaynet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code overlaynet} command. Exit codes: 0 success, 1 runtime failure, 2 usage error. Errors
 * are one line on stderr; set {@code OVERLAYNET_DEBUG=1} for stack traces.
 */
@Command(name = "overlaynet", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Joins containers on many Linux hosts into isolated layer-2 networks over VXLAN.",
        subcommands = {NetworkCommand.class, EndpointCommand.class, PeerCommand.class, ShowCommand.class,
            HostCommand.class, AgentCommand.class, StatusCommand.class, LabCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Under 'ip netns exec', find the mount namespace for named namespaces while our parent lives.
        io.overlaynet.netlink.netns.NetNamespaces.captureHostMounts();
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (tests call this). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setParameterExceptionHandler((ex, a) -> {
            System.err.println("overlaynet: " + ex.getMessage() + " (see '" + ex.getCommandLine().getCommandName()
                    + " --help')");
            return EXIT_USAGE;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
