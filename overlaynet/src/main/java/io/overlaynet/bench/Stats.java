package io.overlaynet.bench;

import java.util.Arrays;
import java.util.List;

/** Small statistics over measured samples. */
public final class Stats {
    private Stats() {
    }

    public static double median(List<Double> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        double[] s = samples.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(s);
        int mid = s.length / 2;
        return s.length % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
    }

    /** The p-th percentile (0..100), nearest rank. */
    public static double percentile(List<Double> samples, double p) {
        double[] s = samples.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }
}
