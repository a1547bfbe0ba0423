package io.overlaynet.netlink.codec;

import io.overlaynet.netlink.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wire codec alone: no sockets, no root. */
class CodecTest {
    private static final AttrDef<Integer> A_U32 = new AttrDef<>(1, "A_U32", Codecs.U32);
    private static final AttrDef<String> A_STR = new AttrDef<>(2, "A_STR", Codecs.STRING);
    private static final AttrDef<Integer> A_PORT = new AttrDef<>(3, "A_PORT", Codecs.BE16);
    private static final AttrDef<Attrs> A_NEST = new AttrDef<>(4, "A_NEST", Codecs.NESTED);
    private static final AttrDef<Integer> A_U8 = new AttrDef<>(5, "A_U8", Codecs.U8);

    @Test
    void attributesArePaddedNestedAndLengthsPatched() {
        MessageWriter w = new MessageWriter(8);
        w.begin(16, Netlink.NLM_F_REQUEST, 7);
        w.put(A_U8, 1).put(A_STR, "vxlan").nest(A_NEST).put(A_PORT, 4789).endNest();
        int len = w.end();
        byte[] b = w.toByteArray();
        assertEquals(len, b.length);
        assertEquals(0, len % 4);
        // header(16) + u8 attr(4+1 -> 8) + string attr (4+6 -> 12) + nest(4 + port attr 4+2 -> 8) = 48
        assertEquals(48, len);
        List<NlMsg> msgs = NlMsg.split(w.written());
        assertEquals(1, msgs.size());
        NlMsg m = msgs.getFirst();
        assertEquals(7, m.header().seq());
        Attrs a = m.attrs(0);
        assertEquals(1, a.get(A_U8).orElseThrow());
        assertEquals("vxlan", a.get(A_STR).orElseThrow());
        Attrs nest = a.get(A_NEST).orElseThrow();
        assertEquals(4789, nest.get(A_PORT).orElseThrow());
        // Big-endian port on the wire: 4789 = 0x12b5.
        assertEquals("12b5", HexFormat.of().formatHex(nest.raw(3).orElseThrow().value()));
    }

    @Test
    void unknownAttributesAreKeptNotFatal() {
        MessageWriter w = new MessageWriter();
        w.begin(16, 0, 1).put(new AttrDef<>(999, "FUTURE", Codecs.BYTES), new byte[]{9, 8, 7}).put(A_U32, 5).end();
        Attrs a = NlMsg.split(w.written()).getFirst().attrs(0);
        assertEquals(2, a.size());
        assertArrayEquals(new byte[]{9, 8, 7}, a.raw(999).orElseThrow().value());
        assertEquals(5, a.get(A_U32).orElseThrow());
        AttrSpace space = new AttrSpace("T", List.of(A_U32));
        assertTrue(a.describe(space).contains("UNKNOWN(999)"), a.describe(space));
    }

    @Test
    void truncatedInputIsACodecErrorNotACrash() {
        ByteBuffer b = ByteBuffer.wrap(new byte[]{(byte) 0x40, 0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0})
                .order(java.nio.ByteOrder.nativeOrder());
        CodecException e = assertThrows(CodecException.class, () -> NlMsg.split(b));
        assertTrue(e.getMessage().contains("claims length 64"), e.getMessage());
        ByteBuffer attrs = ByteBuffer.wrap(new byte[]{(byte) 0x20, 0, 1, 0, 0, 0, 0, 0});
        assertThrows(CodecException.class, () -> Attrs.parse(attrs, 0, 8));
    }

    @Test
    void macAddressesParseAndPrint() {
        MacAddress m = MacAddress.parse("02:42:0C:0c:0c:02");
        assertEquals("02:42:0c:0c:0c:02", m.toString());
        assertArrayEquals(new byte[]{2, 0x42, 12, 12, 12, 2}, m.bytes());
        assertTrue(MacAddress.ZERO.isZero());
        assertFalse(m.isMulticast());
        for (String bad : List.of("02:42:0c:0c:0c", "zz:42:0c:0c:0c:02", "02:42:0c:0c:0c:02:00", "0242.0c0c.0c02", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(bad));
            assertTrue(e.getMessage().contains("malformed MAC address"), e.getMessage());
        }
    }

    @Test
    void kernelErrorWithExtendedAckIsDecoded() {
        // 'ip link add d0 type dummy' on a kernel without the dummy driver.
        NlMsg m = NlMsg.split(Fixtures.buffer("error-unknown-kind")).getFirst();
        assertEquals(Netlink.NLMSG_ERROR, m.type());
        NlMsgErr err = NlMsgErr.decode(m);
        assertEquals(95, err.errno()); // EOPNOTSUPP
        assertEquals(16, err.request().type());
        assertEquals("Unknown device type", err.message().orElseThrow());
    }
}
