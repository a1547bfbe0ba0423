package io.overlaynet.netlink.codec;

import java.util.HexFormat;

/** A 48-bit Ethernet address held as a long; parses and prints {@code aa:bb:cc:dd:ee:ff}. */
public record MacAddress(long bits) {
    public static final int LENGTH = 6;
    public static final MacAddress ZERO = new MacAddress(0);
    private static final long MASK = 0xffff_ffff_ffffL;

    public MacAddress {
        if ((bits & ~MASK) != 0) {
            throw new IllegalArgumentException("MAC address value does not fit in 48 bits");
        }
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (also with {@code -}); throws with the offending text. */
    public static MacAddress parse(String text) {
        String[] parts = text.trim().split("[:-]", -1);
        if (parts.length != LENGTH) {
            throw new IllegalArgumentException("malformed MAC address '" + text
                    + "': expected six hex bytes like 02:42:0c:0c:0c:02");
        }
        long bits = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 2 || !HexFormat.isHexDigit(part.charAt(0))
                    || !HexFormat.isHexDigit(part.charAt(part.length() - 1))) {
                throw new IllegalArgumentException("malformed MAC address '" + text
                        + "': expected six hex bytes like 02:42:0c:0c:0c:02");
            }
            bits = (bits << 8) | Integer.parseInt(part, 16);
        }
        return new MacAddress(bits);
    }

    public static MacAddress of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("MAC address needs 6 bytes, got " + bytes.length);
        }
        long bits = 0;
        for (byte b : bytes) {
            bits = (bits << 8) | (b & 0xff);
        }
        return new MacAddress(bits);
    }

    public byte[] bytes() {
        byte[] out = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            out[i] = (byte) (bits >>> (8 * (LENGTH - 1 - i)));
        }
        return out;
    }

    public boolean isZero() {
        return bits == 0;
    }

    public boolean isMulticast() {
        return ((bits >>> 40) & 1) == 1;
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(bytes());
    }
}
