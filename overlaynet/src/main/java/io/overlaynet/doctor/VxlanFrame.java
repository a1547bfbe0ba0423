package io.overlaynet.doctor;

import io.overlaynet.netlink.codec.MacAddress;

import java.util.Optional;
import java.util.Set;

/**
 * One VXLAN datagram on the underlay, decoded the way the walkthroughs read tcpdump: the outer IPv4
 * source and destination, the VNI, then the inner frame (MACs and an ARP, ICMP, TCP or UDP summary).
 *
 * @param inner e.g. {@code 12.12.12.2 > 12.12.12.3: ICMP echo request, id 7, seq 1, length 64}
 */
public record VxlanFrame(String outerSrc, int outerSrcPort, String outerDst, int outerDstPort, int vni,
                         String innerSrcMac, String innerDstMac, String protocol, String inner, int length) {
    private static final int ETH = 14;
    private static final int ETH_P_IP = 0x0800;
    private static final int ETH_P_ARP = 0x0806;
    private static final int ETH_P_8021Q = 0x8100;
    private static final int VXLAN_HEADER = 8;

    /** A frame captured on the underlay, when it is VXLAN to or from one of {@code ports}; else empty. */
    public static Optional<VxlanFrame> decode(byte[] f, Set<Integer> ports) {
        try {
            int off = 12;
            int type = u16(f, off);
            if (type == ETH_P_8021Q) {
                off += 4;
                type = u16(f, off);
            }
            off += 2;
            if (type != ETH_P_IP || (f[off] & 0xf0) != 0x40 || (f[off + 9] & 0xff) != 17) {
                return Optional.empty();
            }
            int ihl = (f[off] & 0x0f) * 4;
            String src = ip(f, off + 12);
            String dst = ip(f, off + 16);
            int udp = off + ihl;
            int sport = u16(f, udp);
            int dport = u16(f, udp + 2);
            if (!ports.contains(dport)) {
                return Optional.empty();
            }
            int vx = udp + 8;
            if ((f[vx] & 0x08) == 0) {
                return Optional.empty(); // the I flag says the VNI is valid; without it this is not VXLAN as we send it
            }
            int vni = (f[vx + 4] & 0xff) << 16 | (f[vx + 5] & 0xff) << 8 | (f[vx + 6] & 0xff);
            int in = vx + VXLAN_HEADER;
            String dmac = MacAddress.of(java.util.Arrays.copyOfRange(f, in, in + 6)).toString();
            String smac = MacAddress.of(java.util.Arrays.copyOfRange(f, in + 6, in + 12)).toString();
            int innerType = u16(f, in + 12);
            int payload = in + ETH;
            String[] summary = switch (innerType) {
                case ETH_P_ARP -> arp(f, payload);
                case ETH_P_IP -> ipv4(f, payload);
                default -> new String[]{"ethertype 0x" + Integer.toHexString(innerType), "ethertype 0x"
                        + Integer.toHexString(innerType) + ", length " + (f.length - payload)};
            };
            return Optional.of(new VxlanFrame(src, sport, dst, dport, vni, smac, dmac, summary[0], summary[1],
                    f.length - in));
        } catch (ArrayIndexOutOfBoundsException truncated) {
            return Optional.empty();
        }
    }

    /** One line, tcpdump's two lines for a VXLAN packet joined. */
    public String text(String time, String network) {
        return time + " " + outerSrc + "." + outerSrcPort + " > " + outerDst + "." + outerDstPort + ": VXLAN vni " + vni
                + (network.isEmpty() ? "" : " [" + network + "]") + ", " + innerSrcMac + " > " + innerDstMac + ", " + inner;
    }

    private static String[] arp(byte[] f, int a) {
        int op = u16(f, a + 6);
        String senderMac = MacAddress.of(java.util.Arrays.copyOfRange(f, a + 8, a + 14)).toString();
        String sender = ip(f, a + 14);
        String target = ip(f, a + 24);
        return new String[]{"arp", op == 1 ? "ARP, Request who-has " + target + " tell " + sender
                : op == 2 ? "ARP, Reply " + sender + " is-at " + senderMac : "ARP, op " + op};
    }

    private static String[] ipv4(byte[] f, int p) {
        int ihl = (f[p] & 0x0f) * 4;
        int total = u16(f, p + 2);
        int proto = f[p + 9] & 0xff;
        String src = ip(f, p + 12);
        String dst = ip(f, p + 16);
        int l4 = p + ihl;
        int l4len = total - ihl;
        return switch (proto) {
            case 1 -> {
                int t = f[l4] & 0xff;
                String what = switch (t) {
                    case 8 -> "echo request";
                    case 0 -> "echo reply";
                    case 3 -> "destination unreachable (code " + (f[l4 + 1] & 0xff) + ")";
                    case 11 -> "time exceeded";
                    default -> "type " + t;
                };
                String ids = t == 8 || t == 0 ? ", id " + u16(f, l4 + 4) + ", seq " + u16(f, l4 + 6) : "";
                yield new String[]{"icmp", src + " > " + dst + ": ICMP " + what + ids + ", length " + l4len};
            }
            case 6 -> {
                int flags = f[l4 + 13] & 0xff;
                StringBuilder fl = new StringBuilder();
                String names = "FSRP.U"; // FIN SYN RST PSH ACK(.) URG, as tcpdump writes them
                for (int bit = 0; bit < 6; bit++) {
                    if ((flags & (1 << bit)) != 0) {
                        fl.append(names.charAt(bit));
                    }
                }
                int header = ((f[l4 + 12] & 0xf0) >> 4) * 4;
                yield new String[]{"tcp", src + "." + u16(f, l4) + " > " + dst + "." + u16(f, l4 + 2) + ": Flags [" + fl
                        + "], length " + (l4len - header)};
            }
            case 17 -> new String[]{"udp", src + "." + u16(f, l4) + " > " + dst + "." + u16(f, l4 + 2) + ": UDP, length "
                    + (u16(f, l4 + 4) - 8)};
            default -> new String[]{"ip", src + " > " + dst + ": ip-proto-" + proto + " " + l4len};
        };
    }

    private static int u16(byte[] f, int at) {
        return (f[at] & 0xff) << 8 | (f[at + 1] & 0xff);
    }

    private static String ip(byte[] f, int at) {
        return (f[at] & 0xff) + "." + (f[at + 1] & 0xff) + "." + (f[at + 2] & 0xff) + "." + (f[at + 3] & 0xff);
    }
}
