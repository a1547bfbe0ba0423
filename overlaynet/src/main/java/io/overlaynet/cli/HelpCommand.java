package io.overlaynet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** {@code overlaynet help [COMMAND [SUBCOMMAND...]]}: the help of the command named, however deep. */
@Command(name = "help", helpCommand = true, description = "Show the help of a command, e.g. 'overlaynet help network create'.")
final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {
    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command, and its subcommands.")
    List<String> path = new ArrayList<>();

    private CommandLine self;
    private PrintWriter out;

    @Override
    public void init(CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme, PrintWriter out, PrintWriter err) {
        this.self = helpCommandLine;
        this.out = out;
    }

    @Override
    public void run() {
        CommandLine target = self.getParent();
        for (String name : path) {
            CommandLine sub = target.getSubcommands().get(name);
            if (sub == null) {
                throw new CommandLine.ParameterException(target, "unknown command '" + name + "' for '"
                        + target.getCommandSpec().qualifiedName() + "'"
                        + Typos.suggest(name, target.getSubcommands().keySet()).map(s -> ": did you mean '" + s + "'?")
                        .orElse(""));
            }
            target = sub;
        }
        target.usage(out);
        out.flush();
    }
}
