package io.overlaynet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This JVM's resident set size and used heap, for benchmark tables. */
public final class ProcessMemory {
    private ProcessMemory() {
    }

    /** VmRSS of a process in MiB, from /proc/PID/status. */
    public static double rssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    public static double selfRssMb() {
        return rssMb(ProcessHandle.current().pid());
    }

    public static double heapUsedMb() {
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) / (1024.0 * 1024.0);
    }
}
