package io.overlaynet.netlink.codec;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** The value codecs attribute tables are built from. Integers are host order unless named big-endian. */
public final class Codecs {
    private Codecs() {
    }

    public static final Codec<Integer> U8 = fixed(1, b -> Byte.toUnsignedInt(b.get(0)), (b, v) -> b.put((byte) (int) v));
    public static final Codec<Integer> U16 =
            fixed(2, b -> Short.toUnsignedInt(b.getShort(0)), (b, v) -> b.putShort((short) (int) v));
    public static final Codec<Integer> U32 = fixed(4, b -> b.getInt(0), (b, v) -> b.putInt(v));
    public static final Codec<Long> U64 = fixed(8, b -> b.getLong(0), (b, v) -> b.putLong(v));
    /** A 16-bit value in network byte order, such as a UDP port. */
    public static final Codec<Integer> BE16 = fixed(2,
            b -> Short.toUnsignedInt(Short.reverseBytes(b.getShort(0))),
            (b, v) -> b.putShort(Short.reverseBytes((short) (int) v)));
    /** A 32-bit value in network byte order. */
    public static final Codec<Integer> BE32 =
            fixed(4, b -> Integer.reverseBytes(b.getInt(0)), (b, v) -> b.putInt(Integer.reverseBytes(v)));
    /** A 64-bit value in network byte order, such as an nf_tables counter. */
    public static final Codec<Long> BE64 =
            fixed(8, b -> Long.reverseBytes(b.getLong(0)), (b, v) -> b.putLong(Long.reverseBytes(v)));
    /** Presence-only attribute: decodes to true; encodes nothing. */
    public static final Codec<Boolean> FLAG = new Codec<>() {
        public Boolean decode(ByteBuffer value) {
            return true;
        }

        public int size(Boolean value) {
            return 0;
        }

        public void encode(ByteBuffer out, Boolean value) {
        }
    };

    /** A NUL-terminated string; decoding stops at the first NUL. */
    public static final Codec<String> STRING = new Codec<>() {
        public String decode(ByteBuffer value) {
            int end = 0;
            while (end < value.limit() && value.get(end) != 0) {
                end++;
            }
            byte[] bytes = new byte[end];
            value.get(0, bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }

        public int size(String value) {
            return value.getBytes(StandardCharsets.UTF_8).length + 1;
        }

        public void encode(ByteBuffer out, String value) {
            out.put(value.getBytes(StandardCharsets.UTF_8)).put((byte) 0);
        }
    };

    public static final Codec<byte[]> BYTES = new Codec<>() {
        public byte[] decode(ByteBuffer value) {
            byte[] bytes = new byte[value.limit()];
            value.get(0, bytes);
            return bytes;
        }

        public int size(byte[] value) {
            return value.length;
        }

        public void encode(ByteBuffer out, byte[] value) {
            out.put(value);
        }
    };

    public static final Codec<MacAddress> MAC = new Codec<>() {
        public MacAddress decode(ByteBuffer value) {
            if (value.limit() != MacAddress.LENGTH) {
                throw new CodecException("MAC address attribute has " + value.limit() + " bytes, expected 6");
            }
            return MacAddress.of(BYTES.decode(value));
        }

        public int size(MacAddress value) {
            return MacAddress.LENGTH;
        }

        public void encode(ByteBuffer out, MacAddress value) {
            out.put(value.bytes());
        }
    };

    /** An IPv4 (4 bytes) or IPv6 (16 bytes) address, told apart by length. */
    public static final Codec<InetAddress> IP = new Codec<>() {
        public InetAddress decode(ByteBuffer value) {
            if (value.limit() != 4 && value.limit() != 16) {
                throw new CodecException("IP address attribute has " + value.limit() + " bytes, expected 4 or 16");
            }
            try {
                return InetAddress.getByAddress(BYTES.decode(value));
            } catch (UnknownHostException e) {
                throw new CodecException(e.getMessage());
            }
        }

        public int size(InetAddress value) {
            return value.getAddress().length;
        }

        public void encode(ByteBuffer out, InetAddress value) {
            out.put(value.getAddress());
        }
    };

    /** A nested attribute set. */
    public static final Codec<Attrs> NESTED = new Codec<>() {
        public Attrs decode(ByteBuffer value) {
            return Attrs.parse(value, 0, value.limit());
        }

        public int size(Attrs value) {
            return value.wireSize();
        }

        public void encode(ByteBuffer out, Attrs value) {
            value.writeTo(out);
        }
    };

    /** The address family constant for an address: AF_INET (2) or AF_INET6 (10). */
    public static int family(InetAddress address) {
        return switch (address) {
            case Inet4Address a -> 2;
            case Inet6Address a -> 10;
            default -> throw new IllegalArgumentException("unknown address type " + address);
        };
    }

    private interface Reader<T> {
        T read(ByteBuffer b);
    }

    private interface Writer<T> {
        void write(ByteBuffer b, T v);
    }

    private static <T> Codec<T> fixed(int size, Reader<T> reader, Writer<T> writer) {
        return new Codec<>() {
            public T decode(ByteBuffer value) {
                if (value.limit() < size) {
                    throw new CodecException("attribute has " + value.limit() + " bytes, expected " + size);
                }
                return reader.read(value.duplicate().order(ByteOrder.nativeOrder()));
            }

            public int size(T value) {
                return size;
            }

            public void encode(ByteBuffer out, T value) {
                writer.write(out, value);
            }
        };
    }
}
