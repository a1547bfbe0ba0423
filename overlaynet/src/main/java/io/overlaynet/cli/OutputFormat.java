package io.overlaynet.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code -o text|json}, given after the command or before it: as a mixin for the commands without host
 * options (lab, bench), and as the base of {@link HostOptions}.
 */
class OutputFormat {
    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text or json (default ${DEFAULT-VALUE}).")
    String output = "text";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /** -o given after the command, else before it, else text; anything but text or json is a usage error. */
    boolean json() {
        return Out.wantsJson(Main.GlobalOptions.resolve(mixee, "--output", output, g -> g.output));
    }
}
