package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.codec.CodecException;
import io.overlaynet.netlink.codec.NlMsg;
import io.overlaynet.netlink.rtnl.wire.Rtm;
import io.overlaynet.netlink.testing.Fixtures;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile input to the rtnetlink decoder: messages captured from the kernel and iproute2 (the
 * fixtures), mutated (bytes flipped, cut short, lengths and types rewritten, attributes nested where
 * none are) and decoded as the event listener and the dumps decode them. Only the codec's own
 * {@link CodecException} may escape, and every decode ends quickly (no loop on a zero or huge length).
 * Fixed budget: a few thousand tries per property, seconds in all.
 */
class DecoderFuzzTest {
    private static final List<String> SEEDS = List.of("fdb-add", "fdb-append-zero", "link-show-vxlan2", "neigh-add",
            "veth-peer", "vxlan-nolearning-miss", "vxlan-proxy-learning", "error-unknown-kind");
    /** The message types the decoders meet: links, addresses, routes, neighbours, FDB and misses. */
    private static final int[] TYPES = {Rtm.NEWLINK, Rtm.DELLINK, Rtm.NEWADDR, Rtm.DELADDR, Rtm.NEWROUTE, Rtm.NEWNEIGH,
        Rtm.DELNEIGH, Rtm.GETNEIGH, 2 /* NLMSG_ERROR */, 3 /* NLMSG_DONE */};

    /** One change to a message: what to do, where, and with what value. */
    record Mutation(int kind, int at, int value) {
        byte[] apply(byte[] in) {
            if (in.length == 0) {
                return in;
            }
            int i = Math.floorMod(at, in.length);
            byte[] out = in.clone();
            switch (kind) {
                case 0 -> out[i] ^= (byte) (1 << (value & 7)); // flip a bit
                case 1 -> out[i] = (byte) value; // overwrite a byte
                case 2 -> out = Arrays.copyOf(in, i); // cut short
                case 3 -> { // rewrite a 16-bit length (an attribute's, or the header's low half)
                    if (i + 1 < out.length) {
                        out[i] = (byte) value;
                        out[i + 1] = (byte) (value >> 8);
                    }
                }
                case 4 -> { // set the nested flag on whatever 16-bit type sits there
                    if (i + 1 < out.length) {
                        out[i + 1] |= (byte) 0x80;
                    }
                }
                default -> { // duplicate a tail: attributes repeated past where they should end
                    byte[] tail = Arrays.copyOfRange(in, i, in.length);
                    out = Arrays.copyOf(in, in.length + tail.length);
                    System.arraycopy(tail, 0, out, in.length, tail.length);
                }
            }
            return out;
        }
    }

    @Provide
    Arbitrary<Mutation> mutation() {
        return Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 4096),
                Arbitraries.integers().between(0, 0xffff)).as(Mutation::new);
    }

    @Property(tries = 4000, seed = "20261204")
    void mutatedKernelMessagesDecodeOrFailWithTheCodecsException(
            @ForAll("seed") String seed, @ForAll("mutations") List<Mutation> mutations, @ForAll("type") int type) {
        byte[] bytes = Fixtures.bytes(seed);
        if (type >= 0 && bytes.length >= 6) { // sometimes the same body under another message type
            bytes[4] = (byte) type;
            bytes[5] = (byte) (type >> 8);
        }
        for (Mutation m : mutations) {
            bytes = m.apply(bytes);
        }
        decodeEverything(bytes);
    }

    @Property(tries = 2000, seed = "20261204")
    void randomBytesDecodeOrFailWithTheCodecsException(@ForAll("garbage") byte[] bytes) {
        decodeEverything(bytes);
    }

    @Provide
    Arbitrary<String> seed() {
        return Arbitraries.of(SEEDS);
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return mutation().list().ofMinSize(1).ofMaxSize(6);
    }

    @Provide
    Arbitrary<Integer> type() {
        return Arbitraries.oneOf(Arbitraries.just(-1), Arbitraries.of(Arrays.stream(TYPES).boxed().toList()));
    }

    @Provide
    Arbitrary<byte[]> garbage() {
        // Starts with a plausible header length so the splitter gets past it as often as not.
        return Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(300).map(b -> {
            if (b.length >= 4) {
                ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).putInt(0, b.length);
            }
            return b;
        });
    }

    /** Splits and decodes as every reader of the library does; anything but a CodecException fails. */
    private static void decodeEverything(byte[] bytes) {
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            try {
                for (NlMsg m : NlMsg.split(ByteBuffer.wrap(bytes))) {
                    decodeOne(m);
                }
            } catch (CodecException expected) {
                // the codec refused it, in its own words
            } catch (RuntimeException other) {
                fail("decoding " + java.util.HexFormat.of().formatHex(bytes) + " threw " + other, other);
            }
        }, () -> "decoding did not end: " + java.util.HexFormat.of().formatHex(bytes));
    }

    private static void decodeOne(NlMsg m) {
        EventDecoder.decode(m);
        switch (m.type()) {
            case Rtm.NEWROUTE, Rtm.DELROUTE -> RouteOps.decode(m);
            case Rtm.NEWNEIGH, Rtm.DELNEIGH -> {
                decodeQuietly(() -> NeighbourOps.decode(m));
                decodeQuietly(() -> FdbOps.decode(m));
            }
            case 2 -> io.overlaynet.netlink.codec.NlMsgErr.decode(m);
            default -> {
            }
        }
    }

    /** A decoder applied to a message of the other kind (an FDB entry read as a neighbour) is still bounded. */
    private static void decodeQuietly(Runnable r) {
        try {
            r.run();
        } catch (CodecException expected) {
            // refused
        }
    }
}
