package io.overlaynet.doctor;

import java.util.Optional;

/**
 * The doctor's answer for one direction of one pair: healthy ({@code ok}, with the probe's round trip),
 * or the first broken hop, its cause code, what was seen there and the command that mends it.
 *
 * @param from the source endpoint as {@code name@host}
 * @param to   the destination IP
 */
public record Finding(String from, String to, boolean ok, String hop, Optional<Cause> cause, String detail, String fix,
                      Optional<Double> rttMs) {

    static Finding healthy(String from, String to, double rttMs) {
        return new Finding(from, to, true, "", Optional.empty(), "", "", Optional.of(rttMs));
    }

    static Finding broken(String from, String to, Cause cause, String hop, String detail, String fix, Optional<Double> rtt) {
        return new Finding(from, to, false, hop, Optional.of(cause), detail, fix, rtt);
    }

    /** The cause code, or "" when healthy. */
    public String code() {
        return cause.map(Cause::code).orElse("");
    }
}
