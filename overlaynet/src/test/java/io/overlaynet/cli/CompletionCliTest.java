package io.overlaynet.cli;

import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code overlaynet completion}: the script it prints, loaded into a real bash, completes commands and options. */
class CompletionCliTest {

    @Test
    void bashCompletesCommandsSubcommandsAndOptions(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("overlaynet-completion.bash");
        Files.writeString(script, Cli.expect(0, List.of(), "completion").out());

        assertEquals("lab", complete(script, "overlaynet", "la"));
        assertEquals("up ping status down ls demo doctor", complete(script, "overlaynet", "lab", ""));
        assertEquals("monitor", complete(script, "overlaynet", "mo"));
        assertEquals("--version --vtep", complete(script, "overlaynet", "peer", "add", "--v"));
        assertEquals("--state-dir --subnet --store", complete(script, "overlaynet", "network", "create", "--s"));
    }

    /** What bash offers for the last word of {@code words}, as the completion function fills COMPREPLY. */
    private static String complete(Path script, String... words) {
        StringBuilder array = new StringBuilder();
        for (String w : words) {
            array.append(" '").append(w).append("'");
        }
        String line = String.join(" ", words);
        String program = "source '" + script + "'; COMP_WORDS=(" + array + "); COMP_CWORD=" + (words.length - 1)
                + "; COMP_LINE='" + line + "'; COMP_POINT=" + line.length()
                + "; _complete_overlaynet 2>/dev/null; echo \"${COMPREPLY[*]}\"";
        return Sh.run("bash", "-c", program).ok().out().strip();
    }
}
