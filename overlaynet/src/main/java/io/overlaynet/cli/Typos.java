package io.overlaynet.cli;

import picocli.CommandLine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * What a user most likely meant: a word of the command line that no command or option has is named,
 * with the nearest one that exists ({@code --vin} -> {@code --vni}, {@code creat} -> {@code create}),
 * instead of picocli's "Unmatched arguments from index 7" or a missing option the typo stood for.
 */
final class Typos {
    private Typos() {
    }

    /** A one-line message for a parse failure caused by an unknown word, if there is one. */
    static Optional<String> explain(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String word = u.getUnmatched().getFirst();
            return Optional.of(word.startsWith("-") ? unknownOption(cl, word) : unknownCommand(cl, word));
        }
        if (ex instanceof CommandLine.MissingParameterException) {
            // picocli checks required options before it reports an unknown one: a typo of a required
            // option reads as its absence. Name the unknown word instead.
            for (String a : args) {
                String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
                if (name.startsWith("--") && !known(cl, name)) {
                    return Optional.of(unknownOption(cl, name));
                }
            }
        }
        return Optional.empty();
    }

    private static boolean known(CommandLine cl, String name) {
        for (CommandLine c = cl; c != null; c = c.getParent()) {
            if (c.getCommandSpec().optionsMap().containsKey(name)) {
                return true;
            }
        }
        return false;
    }

    private static String unknownOption(CommandLine cl, String word) {
        return "unknown option '" + word + "' for '" + cl.getCommandSpec().qualifiedName() + "'"
                + suggest(word, cl.getCommandSpec().optionsMap().keySet()).map(s -> ": did you mean '" + s + "'?").orElse("");
    }

    private static String unknownCommand(CommandLine cl, String word) {
        return "unknown command '" + word + "' for '" + cl.getCommandSpec().qualifiedName() + "'"
                + suggest(word, cl.getSubcommands().keySet()).map(s -> ": did you mean '" + s + "'?").orElse("");
    }

    /** The candidate nearest to {@code word} (edit distance at most 2, or a prefix of it), if any. */
    static Optional<String> suggest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        List<String> sorted = new ArrayList<>(candidates);
        sorted.sort(null);
        for (String c : sorted) {
            int d = c.startsWith(word) && word.length() >= 3 ? 1 : distance(word, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return bestDistance <= 2 ? Optional.of(best) : Optional.empty();
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                // an adjacent swap ("vin" for "vni") costs one, as a single slip
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    sub = Math.min(sub, prev[j - 1]);
                }
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
