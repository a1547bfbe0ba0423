package io.overlaynet.netlink.codec;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * An ordered set of attributes as decoded from a message. Unknown numbers are kept as raw bytes, so a
 * newer kernel never breaks decoding.
 */
public final class Attrs {
    public static final Attrs EMPTY = new Attrs(List.of());
    private static final int ATTR_HEADER = 4;

    private final List<Attr> list;

    private Attrs(List<Attr> list) {
        this.list = list;
    }

    public static Attrs of(List<Attr> attrs) {
        return new Attrs(List.copyOf(attrs));
    }

    /** Parses attributes between two absolute buffer offsets. */
    public static Attrs parse(ByteBuffer buf, int from, int to) {
        List<Attr> out = new ArrayList<>();
        int pos = from;
        while (pos + ATTR_HEADER <= to) {
            int len = Short.toUnsignedInt(buf.getShort(pos));
            int rawType = Short.toUnsignedInt(buf.getShort(pos + 2));
            if (len < ATTR_HEADER || pos + len > to) {
                throw new CodecException("attribute at offset " + pos + " claims " + len
                        + " bytes but only " + (to - pos) + " remain");
            }
            byte[] value = new byte[len - ATTR_HEADER];
            buf.get(pos + ATTR_HEADER, value);
            out.add(new Attr(rawType & Netlink.NLA_TYPE_MASK, rawType & ~Netlink.NLA_TYPE_MASK, value));
            pos += Netlink.align(len);
        }
        return new Attrs(List.copyOf(out));
    }

    public List<Attr> all() {
        return list;
    }

    public Optional<Attr> raw(int number) {
        for (Attr a : list) {
            if (a.number() == number) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    public boolean has(AttrDef<?> def) {
        return raw(def.number()).isPresent();
    }

    public <T> Optional<T> get(AttrDef<T> def) {
        return raw(def.number()).map(a -> a.decode(def.codec()));
    }

    /** Every occurrence of a repeated attribute, in order. */
    public <T> List<T> getAll(AttrDef<T> def) {
        List<T> out = new ArrayList<>();
        for (Attr a : list) {
            if (a.number() == def.number()) {
                out.add(a.decode(def.codec()));
            }
        }
        return out;
    }

    public int wireSize() {
        int size = 0;
        for (Attr a : list) {
            size += Netlink.align(ATTR_HEADER + a.value().length);
        }
        return size;
    }

    public void writeTo(ByteBuffer out) {
        for (Attr a : list) {
            int len = ATTR_HEADER + a.value().length;
            out.putShort((short) len).putShort((short) (a.number() | a.flagBits())).put(a.value());
            for (int i = len; i < Netlink.align(len); i++) {
                out.put((byte) 0);
            }
        }
    }

    /** A readable dump using a table's names, e.g. {@code IFLA_MTU=dc050000}. */
    public String describe(AttrSpace space) {
        StringJoiner j = new StringJoiner(", ", space.name() + "{", "}");
        for (Attr a : list) {
            j.add(space.nameOf(a.number()) + "=" + a.toString().substring(a.toString().indexOf('=') + 1));
        }
        return j.toString();
    }

    public int size() {
        return list.size();
    }
}
