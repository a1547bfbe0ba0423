package io.overlaynet.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code -o text|json} for commands that take no host options (lab, bench); given before the command too. */
final class OutputFormat {
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
