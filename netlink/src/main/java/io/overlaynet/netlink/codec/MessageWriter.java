package io.overlaynet.netlink.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Builds netlink messages into one growing buffer, several per buffer for batches. Lengths of messages
 * and nests are patched when they end; every attribute is padded to 4 bytes.
 */
public final class MessageWriter {
    private static final int ATTR_HEADER = 4;
    private ByteBuffer buf;
    private int messageStart = -1;
    private final Deque<Integer> nests = new ArrayDeque<>();

    public MessageWriter(int capacity) {
        buf = ByteBuffer.allocate(capacity).order(ByteOrder.nativeOrder());
    }

    public MessageWriter() {
        this(256);
    }

    /** Starts a message; its length is filled in by {@link #end()}. */
    public MessageWriter begin(int type, int flags, int seq) {
        if (messageStart >= 0) {
            throw new IllegalStateException("previous message not ended");
        }
        ensure(Netlink.HEADER_LENGTH);
        messageStart = buf.position();
        new NlMsgHeader(0, type, flags, seq, 0).encode(buf);
        return this;
    }

    public MessageWriter body(Body body) {
        ensure(body.size());
        int start = buf.position();
        body.encode(buf);
        if (buf.position() - start != body.size()) {
            throw new IllegalStateException(body.getClass().getSimpleName() + " wrote "
                    + (buf.position() - start) + " bytes, declared " + body.size());
        }
        return this;
    }

    public <T> MessageWriter put(AttrDef<T> def, T value) {
        int payload = def.codec().size(value);
        ensure(Netlink.align(ATTR_HEADER + payload));
        buf.putShort((short) (ATTR_HEADER + payload)).putShort((short) def.number());
        def.codec().encode(buf, value);
        pad();
        return this;
    }

    /** Puts a flag attribute when {@code on}, nothing otherwise. */
    public MessageWriter flag(AttrDef<Boolean> def, boolean on) {
        return on ? put(def, true) : this;
    }

    /** Opens a nested attribute; close it with {@link #endNest()}. */
    public MessageWriter nest(int number) {
        ensure(ATTR_HEADER);
        nests.push(buf.position());
        buf.putShort((short) 0).putShort((short) number);
        return this;
    }

    public MessageWriter nest(AttrDef<Attrs> def) {
        return nest(def.number());
    }

    public MessageWriter endNest() {
        int start = nests.pop();
        buf.putShort(start, (short) (buf.position() - start));
        return this;
    }

    /** Ends the current message: patches its length; returns the message length. */
    public int end() {
        if (!nests.isEmpty()) {
            throw new IllegalStateException(nests.size() + " nest(s) left open");
        }
        int length = buf.position() - messageStart;
        buf.putInt(messageStart, length);
        messageStart = -1;
        return length;
    }

    /** Bytes written so far (all ended messages). */
    public int position() {
        return buf.position();
    }

    /** A read-only view of everything written so far. */
    public ByteBuffer written() {
        return buf.duplicate().flip().asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    public byte[] toByteArray() {
        byte[] out = new byte[buf.position()];
        buf.get(0, out);
        return out;
    }

    public void clear() {
        buf.clear();
        messageStart = -1;
        nests.clear();
    }

    private void pad() {
        while ((buf.position() & (Netlink.ALIGN - 1)) != 0) {
            buf.put((byte) 0);
        }
    }

    private void ensure(int more) {
        if (buf.remaining() >= more) {
            return;
        }
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more))
                .order(ByteOrder.nativeOrder());
        buf.flip();
        bigger.put(buf);
        buf = bigger;
    }
}
