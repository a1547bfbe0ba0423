package io.overlaynet.bench;

import java.io.PrintStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A bench's closing figures. Each is printed as a last line, {@code NAME VALUE}, and kept with the
 * value as printed, for {@code bench ... -o json}.
 */
public final class Figures {
    private final PrintStream out;
    private final Map<String, Double> values = new LinkedHashMap<>();

    Figures(PrintStream out) {
        this.out = out;
    }

    /** Prints {@code name value} with {@code format} (e.g. "%.2f") and keeps it. */
    Figures add(String name, double value, String format) {
        String text = String.format(Locale.ROOT, format, value);
        out.println(name + " " + text);
        values.put(name, Double.parseDouble(text));
        return this;
    }

    public Map<String, Double> values() {
        return Collections.unmodifiableMap(values);
    }
}
