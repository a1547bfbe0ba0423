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
