package io.overlaynet.dataplane;

import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.netlink.rtnl.Link;
import io.overlaynet.netlink.rtnl.Rtnl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Encryption between hosts: one WireGuard device per host, run by Debian's {@code wireguard-go} and
 * configured over its UAPI socket ({@code /var/run/wireguard/DEV.sock}); this kernel has no WireGuard
 * module. Each host has a tunnel address, and its networks' VXLAN devices send from it to the other
 * hosts' tunnel addresses: VXLAN has no route but the tunnel, so with the device gone nothing leaves in
 * the clear (fail closed by construction). The private key stays in the host's state directory; only
 * the public key, the endpoint and the tunnel address go to the store.
 */
public final class WireGuard {
    public static final int PORT = 51820;
    /** Outer IPv4 (20) + UDP (8) + WireGuard's header and tag (32). */
    public static final int OVERHEAD = 60;
    private static final Path UAPI_DIR = Path.of("/var/run/wireguard");
    private static final int KEEPALIVE_S = 25;
    private static final String KEYS_FILE = "wireguard.json";
    private static final String PID_FILE = "wireguard-go.pid";

    private final Host host;
    private final String device;
    private final Underlay physical;
    private final IpPrefix address;
    private final Keys keys;
    private List<Peer> peers = List.of();

    /** A host's WireGuard key pair: raw 32-byte keys, base64 as {@code wg} shows them. */
    public record Keys(String privateKey, String publicKey, int epoch) {
    }

    /** Another host: its public key, where its WireGuard listens, and its tunnel address. */
    public record Peer(String publicKey, InetAddress endpoint, Inet4Address tunnelAddress) {
    }

    private WireGuard(Host host, String device, Underlay physical, IpPrefix address, Keys keys) {
        this.host = host;
        this.device = device;
        this.physical = physical;
        this.address = address;
        this.keys = keys;
    }

    /** The device's name on a host with this namespace prefix (UAPI sockets share one directory). */
    public static String deviceName(String prefix) {
        return "owg" + Integer.toHexString(prefix.hashCode() & 0xfffffff);
    }

    /**
     * The tunnel on {@code host}: the device made (or found) and configured. Refused in one line where
     * neither kernel WireGuard nor wireguard-go is there.
     */
    public static WireGuard open(Host host, Underlay physical, IpPrefix tunnelSubnet, boolean rekey) {
        if (io.overlaynet.lab.Tools.find("wireguard-go") == null) {
            throw new IllegalStateException("encryption needs WireGuard: this kernel has no wireguard module and "
                    + "wireguard-go is not installed (apt-get install wireguard-go wireguard-tools)");
        }
        IpPrefix address = tunnelAddress(tunnelSubnet, physical.address());
        WireGuard wg = new WireGuard(host, deviceName(host.prefix()), physical, address, keys(host, rekey));
        wg.ensure();
        return wg;
    }

    /** The host's tunnel address: the low bits of its underlay address in the tunnel subnet. */
    static IpPrefix tunnelAddress(IpPrefix subnet, InetAddress underlay) {
        long hostBits = Integer.toUnsignedLong(ByteBuffer.wrap(underlay.getAddress()).getInt())
                & ((1L << (32 - subnet.length())) - 1);
        return new IpPrefix(subnet.addressAt(hostBits), subnet.length());
    }

    /** The host's key pair, made on first use (or again with {@code rekey}, one epoch later); mode 0600. */
    private static Keys keys(Host host, boolean rekey) {
        Optional<Keys> have = host.state().read(KEYS_FILE, Keys.class);
        if (have.isPresent() && !rekey) {
            return have.get();
        }
        java.security.KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance("X25519").generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make X25519 keys: " + e.getMessage(), e);
        }
        byte[] priv = ((XECPrivateKey) pair.getPrivate()).getScalar().orElseThrow();
        byte[] pub = littleEndian(((XECPublicKey) pair.getPublic()).getU());
        Keys k = new Keys(Base64.getEncoder().encodeToString(priv), Base64.getEncoder().encodeToString(pub),
                have.map(x -> x.epoch() + 1).orElse(0));
        host.state().writePrivate(KEYS_FILE, k);
        return k;
    }

    private static byte[] littleEndian(BigInteger u) {
        byte[] be = u.toByteArray();
        byte[] out = new byte[32];
        for (int i = 0; i < 32 && i < be.length; i++) {
            out[i] = be[be.length - 1 - i];
        }
        return out;
    }

    public Keys keys() {
        return keys;
    }

    public String device() {
        return device;
    }

    public IpPrefix address() {
        return address;
    }

    /** Where the other hosts reach this one's WireGuard. */
    public InetAddress endpoint() {
        return physical.address();
    }

    /** The underlay the networks see: the tunnel device, its address, its MTU; never bound to (see {@link Underlay}). */
    public Underlay underlay() {
        Link l = host.rtnl().links().find(device).orElseThrow();
        return new Underlay(device, l.index(), address.address(), l.mtu(), false);
    }

    /**
     * Makes the device if it is not there (first start, or deleted since): wireguard-go in the host's
     * namespace, then key, port, address, MTU, up, and the peers last set. True when it had to.
     */
    public synchronized boolean ensure() {
        Optional<Link> l = host.rtnl().links().find(device);
        if (l.isPresent() && Files.exists(socket())) {
            return false;
        }
        l.ifPresent(x -> host.rtnl().links().deleteIfExists(device));
        start();
        uapi("private_key=" + hex(keys.privateKey()) + "\nlisten_port=" + PORT + "\n");
        Rtnl rt = host.rtnl();
        rt.links().setMtu(device, physical.mtu() - OVERHEAD);
        rt.addresses().add(device, address);
        rt.links().setUp(device);
        // Egress answers come back on the physical device: it forwards them to the networks.
        rt.sysctl().set("net.ipv4.conf." + physical.device() + ".forwarding", "1");
        applyPeers();
        return true;
    }

    /**
     * Runs wireguard-go in the foreground, in its own session (it outlives the agent: it is data plane),
     * its pid kept beside the key so that {@link #stop} ends exactly it.
     */
    private void start() {
        stop(host);
        List<String> cmd = new ArrayList<>(List.of("setsid", "nsenter", "--net=" + host.namespace().path(),
                io.overlaynet.lab.Tools.find("wireguard-go").toString(), "-f", device));
        Path root = host.state().root();
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(root.resolve("wireguard-go.log").toFile());
        pb.environment().put("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1");
        Process p;
        try {
            Files.createDirectories(root);
            p = pb.start();
            Files.writeString(root.resolve(PID_FILE), Long.toString(p.pid()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run wireguard-go: " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!Files.exists(socket()) || host.rtnl().links().find(device).isEmpty()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroy();
                throw new IllegalStateException("wireguard-go made no device " + device + " in 5 s; see "
                        + root.resolve("wireguard-go.log"));
            }
            sleep(20);
        }
    }

    /** Ends the host's wireguard-go (by the pid it recorded, if that is still wireguard-go); its device goes too. */
    public static void stop(Host host) {
        Path pidFile = host.state().root().resolve(PID_FILE);
        try {
            if (!Files.exists(pidFile)) {
                return;
            }
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            Optional<ProcessHandle> p = ProcessHandle.of(pid)
                    .filter(h -> h.info().commandLine().orElse("").contains("wireguard-go"));
            if (p.isPresent()) {
                p.get().destroy();
                try {
                    p.get().onExit().get(3, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    p.get().destroyForcibly();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Files.deleteIfExists(pidFile);
        } catch (IOException | NumberFormatException e) {
            // no usable pid: nothing of ours to end
        }
    }

    /** The peers: every other host's key, endpoint and tunnel address; replaces what was there. */
    public synchronized void setPeers(List<Peer> want) {
        if (want.equals(peers)) {
            return;
        }
        peers = List.copyOf(want);
        applyPeers();
    }

    private void applyPeers() {
        StringBuilder b = new StringBuilder("replace_peers=true\n");
        for (Peer p : peers) {
            b.append("public_key=").append(hex(p.publicKey())).append('\n')
                    .append("endpoint=").append(p.endpoint().getHostAddress()).append(':').append(PORT).append('\n')
                    .append("replace_allowed_ips=true\n")
                    .append("allowed_ip=").append(p.tunnelAddress().getHostAddress()).append("/32\n")
                    // A keepalive goes out as soon as this is set, so the host that learns of a peer last
                    // starts the handshake: the first one, from a host that knew it earlier, was dropped
                    // (unknown key) and WireGuard would not try again for 5 s.
                    .append("persistent_keepalive_interval=").append(KEEPALIVE_S).append('\n');
        }
        uapi(b.toString());
    }

    private Path socket() {
        return UAPI_DIR.resolve(device + ".sock");
    }

    /** One UAPI {@code set} operation; a non-zero errno is thrown. */
    private void uapi(String body) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket()));
            ch.write(ByteBuffer.wrap(("set=1\n" + body + "\n").getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer in = ByteBuffer.allocate(256);
            StringBuilder reply = new StringBuilder();
            while (!reply.toString().endsWith("\n\n") && ch.read(in.clear()) > 0) {
                reply.append(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII));
            }
            if (!reply.toString().startsWith("errno=0")) {
                throw new IllegalStateException("WireGuard device " + device + " refused its configuration: "
                        + reply.toString().strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach WireGuard device " + device + " at " + socket() + ": "
                    + e.getMessage(), e);
        }
    }

    private static String hex(String base64) {
        return HexFormat.of().formatHex(Base64.getDecoder().decode(base64));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
