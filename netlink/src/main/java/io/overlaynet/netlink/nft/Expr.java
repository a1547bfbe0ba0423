package io.overlaynet.netlink.nft;

import io.overlaynet.netlink.codec.Codecs;
import io.overlaynet.netlink.codec.MessageWriter;
import io.overlaynet.netlink.codec.Netlink;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The expressions of a rule, each as {@code nft} writes it in a rule's expression list (register 1 is
 * the legacy 16-byte register 1; the values are in network byte order).
 */
public sealed interface Expr {
    /** Register 1, where loads put their value and comparisons read it. */
    int REG_1 = 1;

    /** {@code meta iifname}: the input interface's name into a register. */
    int META_IIFNAME = 6;
    /** {@code meta oifname}: the output interface's name into a register. */
    int META_OIFNAME = 7;
    /** The verdict register, which {@link Drop} sets. */
    int REG_VERDICT = 0;
    /** Register 2, for a second value (a NAT's port). */
    int REG_2 = 2;
    /** {@code meta l4proto}: the transport protocol number. */
    int META_L4PROTO = 16;
    /** {@code meta skuid}: the sending socket's owner; no value (the rule stops) for kernel sockets. */
    int META_SKUID = 10;
    /** The transport header (TCP, UDP) as a payload base. */
    int PAYLOAD_TRANSPORT = 2;
    /** The network header (IPv4 header) as a payload base. */
    int PAYLOAD_NETWORK = 1;
    int CMP_EQ = 0;
    int CMP_NEQ = 1;

    String name();

    void writeData(MessageWriter w);

    /** {@code meta KEY} loaded into {@code dreg}. */
    record Meta(int key, int dreg) implements Expr {
        public String name() {
            return "meta";
        }

        public void writeData(MessageWriter w) {
            w.put(be32(NftWire.META_DREG), dreg).put(be32(NftWire.META_KEY), key);
        }
    }

    /** {@code LEN} bytes at {@code OFFSET} of a header loaded into {@code dreg}. */
    record Payload(int base, int offset, int length, int dreg) implements Expr {
        public String name() {
            return "payload";
        }

        public void writeData(MessageWriter w) {
            w.put(be32(NftWire.PAYLOAD_DREG), dreg).put(be32(NftWire.PAYLOAD_BASE), base)
                    .put(be32(NftWire.PAYLOAD_OFFSET), offset).put(be32(NftWire.PAYLOAD_LEN), length);
        }
    }

    /** {@code sreg OP data}: the rule goes on only when it holds. */
    record Cmp(int sreg, int op, byte[] data) implements Expr {
        public String name() {
            return "cmp";
        }

        public void writeData(MessageWriter w) {
            w.put(be32(NftWire.CMP_SREG), sreg).put(be32(NftWire.CMP_OP), op);
            value(w, NftWire.CMP_DATA, data);
        }
    }

    /** {@code dreg = (sreg & mask) ^ xor} over {@code mask.length} bytes: a prefix match's mask. */
    record Bitwise(int sreg, int dreg, byte[] mask, byte[] xor) implements Expr {
        public String name() {
            return "bitwise";
        }

        public void writeData(MessageWriter w) {
            w.put(be32(NftWire.BITWISE_SREG), sreg).put(be32(NftWire.BITWISE_DREG), dreg)
                    .put(be32(NftWire.BITWISE_LEN), mask.length);
            value(w, NftWire.BITWISE_MASK, mask);
            value(w, NftWire.BITWISE_XOR, xor);
        }
    }

    /** {@code drop}: an immediate verdict. */
    record Drop() implements Expr {
        public String name() {
            return "immediate";
        }

        public void writeData(MessageWriter w) {
            w.put(be32(NftWire.IMMEDIATE_DREG), REG_VERDICT);
            w.nest(NftWire.IMMEDIATE_DATA | Netlink.NLA_F_NESTED).nest(NftWire.DATA_VERDICT | Netlink.NLA_F_NESTED)
                    .put(be32(NftWire.VERDICT_CODE), NftWire.NF_DROP).endNest().endNest();
        }
    }

    /** {@code dreg = data}: a constant into a register. */
    record Immediate(int dreg, byte[] data) implements Expr {
        public String name() {
            return "immediate";
        }

        public void writeData(MessageWriter w) {
            w.put(be32(NftWire.IMMEDIATE_DREG), dreg);
            value(w, NftWire.IMMEDIATE_DATA, data);
        }
    }

    /** {@code dnat to ADDR:PORT} with the address in {@code addrReg} and the port in {@code portReg}. */
    record Dnat(int addrReg, int portReg) implements Expr {
        public String name() {
            return "nat";
        }

        public void writeData(MessageWriter w) {
            w.put(be32(NftWire.NAT_TYPE), NftWire.NAT_DNAT).put(be32(NftWire.NAT_FAMILY), 2)
                    .put(be32(NftWire.NAT_REG_ADDR_MIN), addrReg).put(be32(NftWire.NAT_REG_PROTO_MIN), portReg);
        }
    }

    /** {@code masquerade}: source NAT to the output interface's address. */
    record Masquerade() implements Expr {
        public String name() {
            return "masq";
        }

        public void writeData(MessageWriter w) {
            // no attributes: the output interface's primary address, any port
        }
    }

    /** {@code sreg [!]= @SET}: goes on when the register's value is (or with {@code inverted}, is not) in the set. */
    record Lookup(String set, int sreg, boolean inverted) implements Expr {
        public String name() {
            return "lookup";
        }

        public void writeData(MessageWriter w) {
            w.put(new io.overlaynet.netlink.codec.AttrDef<>(NftWire.LOOKUP_SET, "NFTA_LOOKUP_SET", Codecs.STRING), set)
                    .put(be32(NftWire.LOOKUP_SREG), sreg);
            if (inverted) {
                w.put(be32(NftWire.LOOKUP_FLAGS), NftWire.LOOKUP_F_INV);
            }
        }
    }

    /** {@code counter}: packets and bytes that reach it, read back with {@link Nft#counters}. */
    record Counter() implements Expr {
        public String name() {
            return "counter";
        }

        public void writeData(MessageWriter w) {
            w.put(be64(NftWire.COUNTER_BYTES), 0L).put(be64(NftWire.COUNTER_PACKETS), 0L);
        }
    }

    /** An interface name as {@code meta oifname} compares it: NUL-padded to IFNAMSIZ (16). */
    static byte[] ifname(String name) {
        return Arrays.copyOf(name.getBytes(StandardCharsets.US_ASCII), 16);
    }

    /** The start of interface names, as {@code oifname "PREFIX*"} compares it: only those bytes. */
    static byte[] ifnamePrefix(String prefix) {
        return prefix.getBytes(StandardCharsets.US_ASCII);
    }

    private static io.overlaynet.netlink.codec.AttrDef<Long> be64(int number) {
        return new io.overlaynet.netlink.codec.AttrDef<>(number, "NFTA_" + number, Codecs.BE64);
    }

    private static io.overlaynet.netlink.codec.AttrDef<Integer> be32(int number) {
        return new io.overlaynet.netlink.codec.AttrDef<>(number, "NFTA_" + number, Codecs.BE32);
    }

    private static void value(MessageWriter w, int number, byte[] data) {
        w.nest(number | Netlink.NLA_F_NESTED);
        w.put(new io.overlaynet.netlink.codec.AttrDef<>(NftWire.DATA_VALUE, "NFTA_DATA_VALUE", Codecs.BYTES), data);
        w.endNest();
    }
}
