package io.overlaynet.netlink.nft;

import io.overlaynet.netlink.codec.AttrDef;
import io.overlaynet.netlink.codec.Attrs;
import io.overlaynet.netlink.codec.NlMsg;
import io.overlaynet.netlink.codec.Codecs;
import io.overlaynet.netlink.codec.MessageWriter;
import io.overlaynet.netlink.codec.Netlink;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.socket.NetlinkConnection;
import io.overlaynet.netlink.socket.NetlinkSocket;
import io.overlaynet.netlink.socket.Request;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * nf_tables over netlink, as {@code nft} speaks it: tables, base chains and rules, sent as one
 * transaction that the kernel applies all or none ({@link #apply}). A handle is bound to the namespace
 * it was opened in. The requests are built by methods named after the {@code nft} command they replace.
 */
public final class Nft implements AutoCloseable {
    /** {@code ip}: IPv4 (NFPROTO_IPV4). */
    public static final int FAMILY_IP = 2;
    /** {@code prerouting} (NF_INET_PRE_ROUTING). */
    public static final int HOOK_PREROUTING = 0;
    /** {@code input} (NF_INET_LOCAL_IN). */
    public static final int HOOK_INPUT = 1;
    /** {@code output} (NF_INET_LOCAL_OUT). */
    public static final int HOOK_OUTPUT = 3;
    /** {@code dstnat}, the priority of NAT chains on prerouting and output. */
    public static final int PRIORITY_DSTNAT = -100;
    /** {@code forward} (NF_INET_FORWARD). */
    public static final int HOOK_FORWARD = 2;
    /** {@code postrouting} (NF_INET_POST_ROUTING). */
    public static final int HOOK_POSTROUTING = 4;
    /** {@code filter}, the priority of filter chains. */
    public static final int PRIORITY_FILTER = 0;
    /** {@code srcnat}, the priority of NAT chains on postrouting. */
    public static final int PRIORITY_SRCNAT = 100;

    private static final AttrDef<String> NAME = new AttrDef<>(NftWire.TABLE_NAME, "NFTA_TABLE_NAME", Codecs.STRING);
    private static final AttrDef<String> CHAIN_TABLE = new AttrDef<>(NftWire.CHAIN_TABLE, "NFTA_CHAIN_TABLE", Codecs.STRING);
    private static final AttrDef<String> CHAIN_NAME = new AttrDef<>(NftWire.CHAIN_NAME, "NFTA_CHAIN_NAME", Codecs.STRING);
    private static final AttrDef<String> CHAIN_TYPE = new AttrDef<>(NftWire.CHAIN_TYPE, "NFTA_CHAIN_TYPE", Codecs.STRING);
    private static final AttrDef<Integer> CHAIN_POLICY = new AttrDef<>(NftWire.CHAIN_POLICY, "NFTA_CHAIN_POLICY", Codecs.BE32);
    private static final AttrDef<Integer> HOOKNUM = new AttrDef<>(NftWire.HOOK_HOOKNUM, "NFTA_HOOK_HOOKNUM", Codecs.BE32);
    private static final AttrDef<Integer> PRIORITY = new AttrDef<>(NftWire.HOOK_PRIORITY, "NFTA_HOOK_PRIORITY", Codecs.BE32);
    private static final AttrDef<String> RULE_TABLE = new AttrDef<>(NftWire.RULE_TABLE, "NFTA_RULE_TABLE", Codecs.STRING);
    private static final AttrDef<String> RULE_CHAIN = new AttrDef<>(NftWire.RULE_CHAIN, "NFTA_RULE_CHAIN", Codecs.STRING);
    private static final AttrDef<String> EXPR_NAME = new AttrDef<>(NftWire.EXPR_NAME, "NFTA_EXPR_NAME", Codecs.STRING);

    private final NetlinkConnection connection;

    private Nft(NetlinkSocket socket) {
        this.connection = new NetlinkConnection(socket, Duration.ofSeconds(5));
    }

    /** A handle on the calling thread's namespace. */
    public static Nft open() {
        return new Nft(NetlinkSocket.open(NftWire.NETLINK_NETFILTER));
    }

    /** A handle on {@code ns}: the socket is opened on a thread inside it and stays bound there. */
    public static Nft open(NetNs ns) {
        return new Nft(ns.call(() -> NetlinkSocket.open(NftWire.NETLINK_NETFILTER)));
    }

    /** Applies the requests as one transaction: all of them, or (on any refusal, which is thrown) none. */
    public void apply(List<Request> requests) {
        if (requests.isEmpty()) {
            return;
        }
        connection.transaction(batchMark(NftWire.NFNL_MSG_BATCH_BEGIN), requests, batchMark(NftWire.NFNL_MSG_BATCH_END));
    }

    private static Request batchMark(int type) {
        return new Request(type, 0, w -> w.body(new NfGenMsg(0, NftWire.NFNL_SUBSYS_NFTABLES)), "nft batch", "");
    }

    /** {@code nft add table FAMILY NAME}: creates it, or leaves it as it is. */
    public static Request addTable(int family, String name) {
        return new Request(NftWire.type(NftWire.MSG_NEWTABLE), Netlink.NLM_F_CREATE, w -> w.body(new NfGenMsg(family, 0))
                .put(NAME, name), "nft add table", name);
    }

    /** {@code nft delete table FAMILY NAME}, with its chains and rules. */
    public static Request deleteTable(int family, String name) {
        return new Request(NftWire.type(NftWire.MSG_DELTABLE), 0, w -> w.body(new NfGenMsg(family, 0)).put(NAME, name),
                "nft delete table", name);
    }

    /**
     * {@code nft add chain FAMILY TABLE CHAIN '{ type TYPE hook HOOK priority PRIORITY; policy accept; }'}:
     * a base chain.
     */
    public static Request addBaseChain(int family, String table, String chain, String type, int hook, int priority) {
        return new Request(NftWire.type(NftWire.MSG_NEWCHAIN), Netlink.NLM_F_CREATE, w -> {
            w.body(new NfGenMsg(family, 0)).put(CHAIN_TABLE, table).put(CHAIN_NAME, chain);
            w.nest(NftWire.CHAIN_HOOK | Netlink.NLA_F_NESTED).put(HOOKNUM, hook).put(PRIORITY, priority).endNest();
            w.put(CHAIN_POLICY, NftWire.NF_ACCEPT).put(CHAIN_TYPE, type);
        }, "nft add chain", table + " " + chain);
    }

    /** {@code nft add set FAMILY TABLE SET '{ type ipv4_addr; }'}: a set of IPv4 addresses; one already there is kept. */
    public static Request addAddressSet(int family, String table, String set) {
        return new Request(NftWire.type(NftWire.MSG_NEWSET), Netlink.NLM_F_CREATE, w -> w.body(new NfGenMsg(family, 0))
                .put(SET_TABLE, table).put(SET_NAME, set).put(SET_KEY_TYPE, NftWire.TYPE_IPADDR).put(SET_KEY_LEN, 4)
                // The id names the set within one transaction; two new sets in one must not share it.
                .put(SET_ID, set.hashCode() & 0x7fffffff), "nft add set", table + " " + set);
    }

    /** {@code nft add element FAMILY TABLE SET '{ A, B }'}; adding one already there is not an error. */
    public static Request addElements(int family, String table, String set, java.util.Collection<java.net.Inet4Address> addresses) {
        return elements(NftWire.MSG_NEWSETELEM, Netlink.NLM_F_CREATE, family, table, set, addresses, "nft add element");
    }

    /** {@code nft delete element FAMILY TABLE SET '{ A, B }'}: each must be there, or the transaction fails. */
    public static Request deleteElements(int family, String table, String set, java.util.Collection<java.net.Inet4Address> addresses) {
        return elements(NftWire.MSG_DELSETELEM, 0, family, table, set, addresses, "nft delete element");
    }

    private static Request elements(int command, int flags, int family, String table, String set,
                                    java.util.Collection<java.net.Inet4Address> addresses, String op) {
        return new Request(NftWire.type(command), flags, w -> {
            w.body(new NfGenMsg(family, 0)).put(ELEM_LIST_TABLE, table).put(ELEM_LIST_SET, set);
            w.nest(NftWire.SET_ELEM_LIST_ELEMENTS | Netlink.NLA_F_NESTED);
            for (java.net.Inet4Address a : addresses) {
                w.nest(NftWire.LIST_ELEM | Netlink.NLA_F_NESTED).nest(NftWire.SET_ELEM_KEY | Netlink.NLA_F_NESTED)
                        .put(DATA_VALUE, a.getAddress()).endNest().endNest();
            }
            w.endNest();
        }, op, table + " " + set + " " + addresses.size() + " address(es)");
    }

    /** {@code nft flush chain FAMILY TABLE CHAIN}: removes every rule of the chain, leaving the chain. */
    public static Request flushChain(int family, String table, String chain) {
        return new Request(NftWire.type(NftWire.MSG_DELRULE), 0, w -> w.body(new NfGenMsg(family, 0))
                .put(RULE_TABLE, table).put(RULE_CHAIN, chain), "nft flush chain", table + " " + chain);
    }

    /**
     * The addresses in a set ({@code nft list set FAMILY TABLE SET}); thrown
     * {@link io.overlaynet.netlink.NetlinkException.NotFound} when the table or the set is not there.
     */
    public java.util.Set<java.net.Inet4Address> elements(int family, String table, String set) {
        List<NlMsg> replies = connection.dump(new Request(NftWire.type(NftWire.MSG_GETSETELEM), 0,
                w -> w.body(new NfGenMsg(family, 0)).put(ELEM_LIST_TABLE, table).put(ELEM_LIST_SET, set),
                "nft list set", table + " " + set));
        java.util.Set<java.net.Inet4Address> out = new java.util.LinkedHashSet<>();
        for (NlMsg m : replies) {
            if (m.type() != NftWire.type(NftWire.MSG_NEWSETELEM)) {
                continue;
            }
            Optional<Attrs> list = m.attrs(NfGenMsg.SIZE).raw(NftWire.SET_ELEM_LIST_ELEMENTS).map(Nft::nested);
            for (io.overlaynet.netlink.codec.Attr e : list.map(Attrs::all).orElse(List.of())) {
                nested(e).raw(NftWire.SET_ELEM_KEY).map(Nft::nested).flatMap(k -> k.get(DATA_VALUE))
                        .filter(b -> b.length == 4).ifPresent(b -> {
                            try {
                                out.add((java.net.Inet4Address) java.net.InetAddress.getByAddress(b));
                            } catch (java.net.UnknownHostException cannot) {
                                throw new IllegalStateException(cannot); // four bytes are always an address
                            }
                        });
            }
        }
        return out;
    }

    /** Packets counted by each {@code counter} expression of a chain's rules, in rule order. */
    public List<Long> counters(int family, String table, String chain) {
        List<NlMsg> rules = connection.dump(new Request(NftWire.type(NftWire.MSG_GETRULE), 0,
                w -> w.body(new NfGenMsg(family, 0)).put(RULE_TABLE, table).put(RULE_CHAIN, chain), "nft list chain",
                table + " " + chain));
        List<Long> out = new java.util.ArrayList<>();
        for (NlMsg m : rules) {
            if (m.type() != NftWire.type(NftWire.MSG_NEWRULE)) {
                continue;
            }
            Attrs a = m.attrs(NfGenMsg.SIZE);
            if (!a.get(RULE_TABLE).orElse("").equals(table) || !a.get(RULE_CHAIN).orElse("").equals(chain)) {
                continue;
            }
            Optional<Attrs> exprs = a.raw(NftWire.RULE_EXPRESSIONS).map(Nft::nested);
            for (io.overlaynet.netlink.codec.Attr e : exprs.map(Attrs::all).orElse(List.of())) {
                Attrs expr = nested(e);
                if ("counter".equals(expr.get(EXPR_NAME).orElse(""))) {
                    out.add(expr.raw(NftWire.EXPR_DATA).map(Nft::nested).flatMap(d -> d.get(COUNTER_PACKETS)).orElse(0L));
                }
            }
        }
        return out;
    }

    private static final AttrDef<String> SET_TABLE = new AttrDef<>(NftWire.SET_TABLE, "NFTA_SET_TABLE", Codecs.STRING);
    private static final AttrDef<String> SET_NAME = new AttrDef<>(NftWire.SET_NAME, "NFTA_SET_NAME", Codecs.STRING);
    private static final AttrDef<Integer> SET_KEY_TYPE = new AttrDef<>(NftWire.SET_KEY_TYPE, "NFTA_SET_KEY_TYPE", Codecs.BE32);
    private static final AttrDef<Integer> SET_KEY_LEN = new AttrDef<>(NftWire.SET_KEY_LEN, "NFTA_SET_KEY_LEN", Codecs.BE32);
    private static final AttrDef<Integer> SET_ID = new AttrDef<>(NftWire.SET_ID, "NFTA_SET_ID", Codecs.BE32);
    private static final AttrDef<String> ELEM_LIST_TABLE =
            new AttrDef<>(NftWire.SET_ELEM_LIST_TABLE, "NFTA_SET_ELEM_LIST_TABLE", Codecs.STRING);
    private static final AttrDef<String> ELEM_LIST_SET =
            new AttrDef<>(NftWire.SET_ELEM_LIST_SET, "NFTA_SET_ELEM_LIST_SET", Codecs.STRING);
    private static final AttrDef<byte[]> DATA_VALUE = new AttrDef<>(NftWire.DATA_VALUE, "NFTA_DATA_VALUE", Codecs.BYTES);
    private static final AttrDef<Long> COUNTER_PACKETS =
            new AttrDef<>(NftWire.COUNTER_PACKETS, "NFTA_COUNTER_PACKETS", Codecs.BE64);

    /** {@code nft add rule FAMILY TABLE CHAIN EXPRESSIONS...}, appended to the chain. */
    public static Request addRule(int family, String table, String chain, List<Expr> expressions) {
        return new Request(NftWire.type(NftWire.MSG_NEWRULE), Netlink.NLM_F_CREATE | Netlink.NLM_F_APPEND, w -> {
            w.body(new NfGenMsg(family, 0)).put(RULE_TABLE, table).put(RULE_CHAIN, chain);
            w.nest(NftWire.RULE_EXPRESSIONS | Netlink.NLA_F_NESTED);
            for (Expr e : expressions) {
                writeExpr(w, e);
            }
            w.endNest();
        }, "nft add rule", table + " " + chain);
    }

    private static void writeExpr(MessageWriter w, Expr e) {
        w.nest(NftWire.LIST_ELEM | Netlink.NLA_F_NESTED).put(EXPR_NAME, e.name());
        w.nest(NftWire.EXPR_DATA | Netlink.NLA_F_NESTED);
        e.writeData(w);
        w.endNest().endNest();
    }

    /**
     * A base chain as listed by {@code nft list chains}: where it hooks, and what becomes of a packet no
     * rule decides ({@code policy}); {@code dropRules} counts its rules that end in {@code drop}.
     */
    public record Chain(int family, String table, String name, int hook, int priority, boolean policyDrop,
                        int dropRules) {
        /** The family as nft names it. */
        public String familyName() {
            return switch (family) {
                case 1 -> "inet";
                case 2 -> "ip";
                case 3 -> "arp";
                case 5 -> "netdev";
                case 7 -> "bridge";
                case 10 -> "ip6";
                default -> "family" + family;
            };
        }

        /** Whether the chain can drop what it sees: a drop policy or a rule ending in drop. */
        public boolean drops() {
            return policyDrop || dropRules > 0;
        }
    }

    /** Every base chain of every table in the namespace, with its hook, policy and count of drop rules. */
    public List<Chain> baseChains() {
        List<NlMsg> chains = connection.dump(new Request(NftWire.type(NftWire.MSG_GETCHAIN), 0,
                w -> w.body(new NfGenMsg(0, 0)), "nft list chains", ""));
        List<NlMsg> rules = connection.dump(new Request(NftWire.type(NftWire.MSG_GETRULE), 0,
                w -> w.body(new NfGenMsg(0, 0)), "nft list rules", ""));
        java.util.Map<String, Integer> drops = new java.util.HashMap<>();
        for (NlMsg m : rules) {
            if (m.type() != NftWire.type(NftWire.MSG_NEWRULE)) {
                continue;
            }
            Attrs a = m.attrs(NfGenMsg.SIZE);
            if (endsInDrop(a)) {
                drops.merge(family(m) + " " + a.get(RULE_TABLE).orElse("") + " " + a.get(RULE_CHAIN).orElse(""), 1,
                        Integer::sum);
            }
        }
        List<Chain> out = new java.util.ArrayList<>();
        for (NlMsg m : chains) {
            if (m.type() != NftWire.type(NftWire.MSG_NEWCHAIN)) {
                continue;
            }
            Attrs a = m.attrs(NfGenMsg.SIZE);
            Optional<Attrs> hook = a.raw(NftWire.CHAIN_HOOK).map(Nft::nested);
            if (hook.isEmpty()) {
                continue; // a regular chain: reached only by jumps from a base chain
            }
            String table = a.get(CHAIN_TABLE).orElse("");
            String name = a.get(CHAIN_NAME).orElse("");
            out.add(new Chain(family(m), table, name, hook.get().get(HOOKNUM).orElse(-1),
                    hook.get().get(PRIORITY).orElse(0), a.get(CHAIN_POLICY).orElse(NftWire.NF_ACCEPT) == NftWire.NF_DROP,
                    drops.getOrDefault(family(m) + " " + table + " " + name, 0)));
        }
        return out;
    }

    private static int family(NlMsg m) {
        return Byte.toUnsignedInt(m.payload()[0]);
    }

    private static Attrs nested(io.overlaynet.netlink.codec.Attr attr) {
        java.nio.ByteBuffer b = attr.buffer();
        return Attrs.parse(b, b.position(), b.limit());
    }

    /** Whether a rule's last expression is {@code immediate} with the verdict drop. */
    private static boolean endsInDrop(Attrs rule) {
        Optional<Attrs> exprs = rule.raw(NftWire.RULE_EXPRESSIONS).map(Nft::nested);
        if (exprs.isEmpty() || exprs.get().all().isEmpty()) {
            return false;
        }
        List<io.overlaynet.netlink.codec.Attr> list = exprs.get().all();
        Attrs last = nested(list.get(list.size() - 1));
        if (!"immediate".equals(last.get(EXPR_NAME).orElse(""))) {
            return false;
        }
        return last.raw(NftWire.EXPR_DATA).map(Nft::nested)
                .flatMap(d -> d.raw(NftWire.IMMEDIATE_DATA)).map(Nft::nested)
                .flatMap(d -> d.raw(NftWire.DATA_VERDICT)).map(Nft::nested)
                .flatMap(v -> v.get(VERDICT_CODE)).map(code -> code == NftWire.NF_DROP).orElse(false);
    }

    private static final AttrDef<Integer> VERDICT_CODE = new AttrDef<>(NftWire.VERDICT_CODE, "NFTA_VERDICT_CODE", Codecs.BE32);

    @Override
    public void close() {
        connection.close();
    }
}
