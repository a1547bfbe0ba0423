package io.overlaynet.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The whole machine's busy CPU time so far, from the first line of {@code /proc/stat}: every CPU's
 * user, nice, system, irq and softirq ticks (guest time is inside user). Idle, iowait and steal (time
 * the hypervisor gave to someone else) are not work done here. A bench reads it around a run to say
 * what the run cost, whichever process or softirq did the work.
 */
final class MachineCpu {
    private static final Path STAT = Path.of("/proc/stat");

    private MachineCpu() {
    }

    /** Busy ticks (USER_HZ, 100 a second on Linux) summed over all CPUs. */
    static long busyTicks() {
        String first;
        try (var lines = Files.lines(STAT)) {
            first = lines.findFirst().orElseThrow(() -> new IllegalStateException(STAT + " is empty"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + STAT, e);
        }
        String[] f = first.trim().split("\\s+");
        if (!f[0].equals("cpu") || f.length < 8) {
            throw new IllegalStateException(STAT + " does not start with the 'cpu' totals: " + first);
        }
        // cpu user nice system idle iowait irq softirq steal ...
        return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                + Long.parseLong(f[7]);
    }
}
