package io.overlaynet.netlink.codec;

/**
 * One row of an attribute table: the attribute's number, its kernel name and its value codec.
 *
 * @param <T> the Java type of the value
 */
public record AttrDef<T>(int number, String name, Codec<T> codec) {
    @Override
    public String toString() {
        return name + "(" + number + ")";
    }
}
