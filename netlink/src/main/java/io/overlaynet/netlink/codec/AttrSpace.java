package io.overlaynet.netlink.codec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A declarative attribute table: the attributes one message body or nest may carry. Used to name
 * attributes when printing and to find a nested space; numbers missing from the table stay
 * readable as raw bytes.
 */
public final class AttrSpace {
    private final String name;
    private final Map<Integer, AttrDef<?>> byNumber = new HashMap<>();

    public AttrSpace(String name, List<AttrDef<?>> defs) {
        this.name = name;
        for (AttrDef<?> def : defs) {
            if (byNumber.put(def.number(), def) != null) {
                throw new IllegalArgumentException(name + ": attribute number " + def.number() + " defined twice");
            }
        }
    }

    public String name() {
        return name;
    }

    public Optional<AttrDef<?>> lookup(int number) {
        return Optional.ofNullable(byNumber.get(number));
    }

    /** The attribute's table name, or {@code UNKNOWN(n)} when the table has no such number. */
    public String nameOf(int number) {
        AttrDef<?> def = byNumber.get(number);
        return def == null ? "UNKNOWN(" + number + ")" : def.name();
    }

    public int size() {
        return byNumber.size();
    }
}
