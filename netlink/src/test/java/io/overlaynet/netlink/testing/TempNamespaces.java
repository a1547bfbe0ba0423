package io.overlaynet.netlink.testing;

import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.Rtnl;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Throwaway, uniquely prefixed namespaces for one test, removed after it whatever happened (register
 * with {@code @RegisterExtension}). Also closes the handles it gave out.
 */
public final class TempNamespaces implements AfterEachCallback {
    private final String prefix = "ont" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    private final List<String> names = new ArrayList<>();
    private final List<AutoCloseable> handles = new ArrayList<>();

    /** A unique name with this test run's prefix. */
    public String name(String suffix) {
        return prefix + "-" + suffix;
    }

    /** Creates a namespace (with our library) named PREFIX-suffix. */
    public NetNs create(String suffix) {
        String name = name(suffix);
        names.add(name);
        NetNs ns = NetNamespaces.create(name);
        handles.add(ns);
        return ns;
    }

    /** Registers a namespace made by someone else (e.g. {@code ip netns add}) for removal. */
    public String track(String suffix) {
        String name = name(suffix);
        names.add(name);
        return name;
    }

    public Rtnl rtnl(NetNs ns) {
        Rtnl rt = Rtnl.open(ns);
        handles.add(rt);
        return rt;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (AutoCloseable h : handles.reversed()) {
            try {
                h.close();
            } catch (Exception ignored) {
                // keep cleaning
            }
        }
        handles.clear();
        for (String n : names) {
            Sh.run("ip", "netns", "del", n);
        }
        names.clear();
    }
}
