package io.overlaynet.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code overlaynet completion}: a bash (and zsh, through bashcompinit) completion script for every
 * command and option, generated from the command tree itself so it cannot drift from it.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a bash completion script for overlaynet.",
            "Load it with: source <(overlaynet completion)",
            "or keep it: overlaynet completion > /etc/bash_completion.d/overlaynet"})
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        System.out.print(AutoComplete.bash("overlaynet", spec.root().commandLine()));
        return 0;
    }
}
