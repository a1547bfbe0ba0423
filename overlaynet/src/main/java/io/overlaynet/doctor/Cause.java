package io.overlaynet.doctor;

/**
 * Why a pair of containers cannot talk, as a fixed code a script can match. The order is the order the
 * path is walked in; the first broken hop is the one reported.
 */
public enum Cause {
    UNKNOWN_ENDPOINT("unknown-endpoint"),
    DUPLICATE_MAC("duplicate-mac"),
    LINK_DOWN("link-down"),
    NO_ADDRESS("no-address"),
    VNI_MISMATCH("vni-mismatch"),
    PORT_MISMATCH("port-mismatch"),
    MTU_MISMATCH("mtu-mismatch"),
    UNDERLAY_UNREACHABLE("underlay-unreachable"),
    VTEP_NOT_ALLOWED("vtep-not-allowed"),
    AGENT_DOWN("agent-down"),
    MISSING_ARP("missing-arp"),
    STALE_ARP("stale-arp"),
    MISSING_FDB("missing-fdb"),
    WRONG_VTEP("wrong-vtep"),
    LEARNED_AGED_OUT("learned-aged-out"),
    FORWARD_DROP("forward-drop"),
    NO_ANSWER("no-answer");

    private final String code;

    Cause(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return code;
    }
}
