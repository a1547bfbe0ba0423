package io.overlaynet.netlink.nft;

/**
 * The numbers of {@code linux/netfilter/nfnetlink.h} and {@code linux/netfilter/nf_tables.h} that
 * overlaynet speaks: message types, attribute numbers, hook and expression constants.
 */
final class NftWire {
    private NftWire() {
    }

    static final int NETLINK_NETFILTER = 12;
    static final int NFNL_SUBSYS_NFTABLES = 10;
    static final int NFNL_MSG_BATCH_BEGIN = 0x10;
    static final int NFNL_MSG_BATCH_END = 0x11;

    // NFT_MSG_*: message type = subsystem << 8 | command.
    static final int MSG_NEWTABLE = 0;
    static final int MSG_DELTABLE = 2;
    static final int MSG_NEWCHAIN = 3;
    static final int MSG_GETCHAIN = 4;
    static final int MSG_NEWRULE = 6;
    static final int MSG_GETRULE = 7;
    static final int MSG_NEWSET = 9;
    static final int MSG_DELRULE = 8;
    static final int MSG_NEWSETELEM = 12;
    static final int MSG_GETSETELEM = 13;
    static final int MSG_DELSETELEM = 14;

    static int type(int command) {
        return NFNL_SUBSYS_NFTABLES << 8 | command;
    }

    // NFTA_TABLE_*
    static final int TABLE_NAME = 1;
    // NFTA_CHAIN_*
    static final int CHAIN_TABLE = 1;
    static final int CHAIN_NAME = 3;
    static final int CHAIN_HOOK = 4;
    static final int CHAIN_POLICY = 5;
    static final int CHAIN_TYPE = 7;
    // NFTA_HOOK_*
    static final int HOOK_HOOKNUM = 1;
    static final int HOOK_PRIORITY = 2;
    // NFTA_RULE_*
    static final int RULE_TABLE = 1;
    static final int RULE_CHAIN = 2;
    static final int RULE_EXPRESSIONS = 4;
    // NFTA_LIST_ELEM, NFTA_EXPR_*
    static final int LIST_ELEM = 1;
    static final int EXPR_NAME = 1;
    static final int EXPR_DATA = 2;
    // NFTA_DATA_VALUE
    static final int DATA_VALUE = 1;
    // NFTA_META_*
    static final int META_DREG = 1;
    static final int META_KEY = 2;
    // NFTA_CMP_*
    static final int CMP_SREG = 1;
    static final int CMP_OP = 2;
    static final int CMP_DATA = 3;
    // NFTA_PAYLOAD_*
    static final int PAYLOAD_DREG = 1;
    static final int PAYLOAD_BASE = 2;
    static final int PAYLOAD_OFFSET = 3;
    static final int PAYLOAD_LEN = 4;
    // NFTA_BITWISE_*
    static final int BITWISE_SREG = 1;
    static final int BITWISE_DREG = 2;
    static final int BITWISE_LEN = 3;
    static final int BITWISE_MASK = 4;
    static final int BITWISE_XOR = 5;

    // NFTA_IMMEDIATE_*, NFTA_DATA_VERDICT, NFTA_VERDICT_CODE
    static final int IMMEDIATE_DREG = 1;
    static final int IMMEDIATE_DATA = 2;
    static final int DATA_VERDICT = 2;
    static final int VERDICT_CODE = 1;

    // NFTA_NAT_*
    static final int NAT_TYPE = 1;
    static final int NAT_FAMILY = 2;
    static final int NAT_REG_ADDR_MIN = 3;
    static final int NAT_REG_PROTO_MIN = 5;
    static final int NAT_DNAT = 1;

    // NFTA_SET_*, NFTA_SET_ELEM_LIST_*, NFTA_SET_ELEM_*
    static final int SET_TABLE = 1;
    static final int SET_NAME = 2;
    static final int SET_KEY_TYPE = 4;
    static final int SET_KEY_LEN = 5;
    static final int SET_ID = 10;
    static final int SET_ELEM_LIST_TABLE = 1;
    static final int SET_ELEM_LIST_SET = 2;
    static final int SET_ELEM_LIST_ELEMENTS = 3;
    static final int SET_ELEM_KEY = 1;
    /** nft's datatype id of ipv4_addr (TYPE_IPADDR), which {@code nft list} shows the elements by. */
    static final int TYPE_IPADDR = 7;
    // NFTA_LOOKUP_*
    static final int LOOKUP_SET = 1;
    static final int LOOKUP_SREG = 2;
    static final int LOOKUP_FLAGS = 5;
    static final int LOOKUP_F_INV = 1;
    // NFTA_COUNTER_*
    static final int COUNTER_BYTES = 1;
    static final int COUNTER_PACKETS = 2;

    static final int NF_DROP = 0;
    static final int NF_ACCEPT = 1;
}
