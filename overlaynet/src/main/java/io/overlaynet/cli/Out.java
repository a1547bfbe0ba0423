package io.overlaynet.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.overlaynet.state.LocalState;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Printing helpers: JSON through Jackson, text tables with padded columns. */
final class Out {
    private Out() {
    }

    /** Whether an {@code -o} value asks for JSON; anything but text or json is a usage error. */
    static boolean wantsJson(String format) {
        if (!format.equals("text") && !format.equals("json")) {
            throw new IllegalArgumentException("unknown output format '" + format + "': use text or json");
        }
        return format.equals("json");
    }

    static void json(Object value) {
        try {
            System.out.println(LocalState.JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One JSON object on one line (for streams: a reader parses line by line). */
    static void jsonLine(Object value) {
        try {
            System.out.println(LocalState.JSON.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a removal command did to one object; JSON {@code {"kind": ..., "name": ..., "removed": ...}}. */
    record Removal(String kind, String name, boolean removed) {
    }

    /**
     * Reports removals: as text, one line each as it happens ("network x removed", "network x: not
     * present"), so a failure part-way still shows what went before it; as JSON, one array at the end.
     */
    static final class Removals {
        private final boolean json;
        private final List<Removal> done = new ArrayList<>();

        Removals(boolean json) {
            this.json = json;
        }

        void add(String kind, String name, boolean removed) {
            if (json) {
                done.add(new Removal(kind, name, removed));
            } else {
                System.out.println(kind + " " + name + (removed ? " removed" : ": not present"));
            }
        }

        void finish() {
            if (json) {
                json(done);
            }
        }
    }

    /** A listing command's output: the records as one JSON array, or as a table of one row each. */
    static <T> void listing(boolean json, List<T> records, List<String> header, Function<T, List<String>> row) {
        if (json) {
            json(records);
        } else {
            table(header, records.stream().map(row).toList());
        }
    }

    /** Prints rows under a header, each column as wide as its widest cell. */
    static void table(List<String> header, List<List<String>> rows) {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        print(header, w);
        rows.forEach(r -> print(r, w));
    }

    private static void print(List<String> cells, int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            sb.append(i == cells.size() - 1 ? cells.get(i) : String.format("%-" + (w[i] + 2) + "s", cells.get(i)));
        }
        System.out.println(sb.toString().stripTrailing());
    }
}
