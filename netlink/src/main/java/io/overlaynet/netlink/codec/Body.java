package io.overlaynet.netlink.codec;

import java.nio.ByteBuffer;

/** A fixed-size family header that follows the netlink header (ifinfomsg, ndmsg, ...). */
public interface Body {
    /** Size on the wire, already a multiple of 4. */
    int size();

    void encode(ByteBuffer out);
}
