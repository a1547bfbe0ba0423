package io.overlaynet.cli;

import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Networks;
import io.overlaynet.dataplane.Records.NetworkRecord;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Optional;

/**
 * The network a listing is narrowed to: named after the command ({@code peer ls demo}, the way
 * {@code peer add demo} takes it) or with {@code --network demo}. Both at once must agree.
 */
final class NetworkFilter {
    @Parameters(paramLabel = "NETWORK", arity = "0..1", description = "Only this network's entries (or --network).")
    String positional;

    @Option(names = "--network", paramLabel = "NAME", description = "Only this network's entries.")
    String option;

    /** The network asked for, read from the host's records; a name that is not there fails rather than list nothing. */
    Optional<NetworkRecord> network(Host h) {
        return name().map(new Networks(h)::get);
    }

    /** The name asked for, if any. */
    Optional<String> name() {
        if (positional != null && option != null && !positional.equals(option)) {
            throw new IllegalArgumentException("two networks given, '" + positional + "' and --network '" + option
                    + "': give one");
        }
        return Optional.ofNullable(positional != null ? positional : option);
    }
}
