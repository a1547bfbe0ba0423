package io.overlaynet.cli;

import io.overlaynet.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A slip on the command line is named, with the word that was probably meant; help reaches any depth. */
class TyposCliTest {
    @Test
    void unknownWordsAreNamedWithTheNearestOne() {
        Cli.Run vin = Cli.expect(2, List.of(), "network", "create", "demo", "--vin", "43", "--subnet", "10.0.0.0/24");
        assertEquals("overlaynet: unknown option '--vin' for 'overlaynet network create': did you mean '--vni'? "
                + "(see 'overlaynet network create --help')", vin.err().strip());
        Cli.Run creat = Cli.expect(2, List.of(), "network", "creat", "demo", "--vni", "43", "--subnet", "10.0.0.0/24");
        assertTrue(creat.err().contains("unknown command 'creat' for 'overlaynet network': did you mean 'create'?"),
                creat.err());
        Cli.Run far = Cli.expect(2, List.of(), "netwrok-xyz");
        assertTrue(far.err().contains("unknown command 'netwrok-xyz' for 'overlaynet'") && !far.err().contains("did you mean"),
                far.err());
    }

    @Test
    void helpShowsTheSubcommandNamed() {
        Cli.Run help = Cli.expect(0, List.of(), "help", "network", "create");
        assertTrue(help.out().startsWith("Usage: overlaynet network create"), help.out());
        Cli.Run wrong = Cli.expect(2, List.of(), "help", "network", "creat");
        assertTrue(wrong.err().contains("did you mean 'create'?"), wrong.err());
    }
}
