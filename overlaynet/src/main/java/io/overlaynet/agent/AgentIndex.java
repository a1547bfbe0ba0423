package io.overlaynet.agent;

import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.state.LocalState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How a command finds the agent of its host. An agent serves one host, and a host is its network
 * namespace; so each agent leaves a note under {@code /run/overlaynet/agents/}, named after the
 * namespace's inode, saying where its API socket is. A command run as that host (in it, under
 * {@code ip netns exec}, or with {@code --host-ns}) looks up its own namespace's inode and finds the
 * agent, wherever its socket lives, and learns the host's namespace prefix and state directory too.
 */
public final class AgentIndex {
    static final Path DIR = Path.of("/run/overlaynet/agents");
    /** Where the CNI executable keeps DELs for an agent that is down, one directory per host namespace inode. */
    static final Path SPOOL = Path.of("/run/overlaynet/cni-spool");

    private AgentIndex() {
    }

    /**
     * What an agent says of itself.
     *
     * @param hostNs the named host namespace it serves, or "" for the namespace it runs in
     */
    public record Note(String host, String socket, long pid, String prefix, String stateDir, String store, String hostNs) {
    }

    /** The inode of a host namespace: a named one, or the caller's own. */
    static long inode(Optional<String> hostNs) {
        Path p = hostNs.map(NetNamespaces.RUN_DIR::resolve).orElse(Path.of("/proc/self/ns/net"));
        try {
            return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("cannot read the network namespace " + p + ": " + e.getMessage(), e);
        }
    }

    /**
     * Leaves the note, and a link {@code <inode>.sock} to the agent's socket: the CNI executable, which
     * parses no JSON, finds the agent of the namespace it runs in by that name.
     */
    static void publish(long inode, Note note) {
        prune();
        new LocalState(DIR).write(inode + ".json", note);
        Path link = DIR.resolve(inode + ".sock");
        try {
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, Path.of(note.socket()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot link " + link + " to the agent's socket: " + e.getMessage(), e);
        }
    }

    /** Removes the notes of agents whose process is gone (killed without a chance to withdraw). */
    public static void prune() {
        LocalState dir = new LocalState(DIR);
        for (String name : dir.names("")) {
            if (name.endsWith(".json") && dir.read(name, Note.class)
                    .filter(n -> ProcessHandle.of(n.pid()).map(ProcessHandle::isAlive).orElse(false)).isEmpty()) {
                dir.delete(name.replace(".json", ".sock"));
                dir.delete(name);
            }
        }
    }

    /** Removes the note, if it is still this process's. */
    static void withdraw(long inode) {
        LocalState dir = new LocalState(DIR);
        dir.read(inode + ".json", Note.class).filter(n -> n.pid() == ProcessHandle.current().pid())
                .ifPresent(n -> {
                    dir.delete(inode + ".sock");
                    dir.delete(inode + ".json");
                });
    }

    /** The live agent serving this host namespace, if one left a note and its process still runs. */
    public static Optional<Note> find(Optional<String> hostNs) {
        long ino;
        try {
            ino = inode(hostNs);
        } catch (IllegalStateException noSuchNamespace) {
            return Optional.empty();
        }
        return new LocalState(DIR).read(ino + ".json", Note.class)
                .filter(n -> ProcessHandle.of(n.pid()).map(ProcessHandle::isAlive).orElse(false)
                        && Files.exists(Path.of(n.socket())));
    }
}
