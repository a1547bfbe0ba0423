package io.overlaynet.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class MachineCpuTest {
    @Test
    void busyTicksCountTheWorkDone() {
        long t0 = MachineCpu.busyTicks();
        long end = System.nanoTime() + 300_000_000L;
        long spins = 0;
        while (System.nanoTime() < end) {
            spins++;
        }
        long t1 = MachineCpu.busyTicks();
        // 0.3 s of one spinning thread is about 30 ticks at USER_HZ 100; leave room for coarse accounting.
        assertTrue(t1 - t0 >= 15, "busy ticks over 0.3 s of spinning: " + (t1 - t0) + " (" + spins + " spins)");
    }
}
