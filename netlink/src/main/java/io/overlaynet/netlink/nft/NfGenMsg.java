package io.overlaynet.netlink.nft;

import io.overlaynet.netlink.codec.Body;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code struct nfgenmsg}, the header of every nfnetlink message: the address family the object
 * belongs to, the version (0) and a resource id (the subsystem, in batch messages), big-endian.
 */
record NfGenMsg(int family, int resourceId) implements Body {
    static final int SIZE = 4;

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void encode(ByteBuffer out) {
        out.put((byte) family).put((byte) 0);
        ByteOrder o = out.order();
        out.order(ByteOrder.BIG_ENDIAN).putShort((short) resourceId).order(o);
    }
}
