/**
 * The netlink wire format without any I/O: the 16-byte header, attributes (type-length-value,
 * 4-byte aligned, nestable), value codecs, and declarative attribute tables
 * ({@link io.overlaynet.netlink.codec.AttrDef} rows grouped in an
 * {@link io.overlaynet.netlink.codec.AttrSpace}). Unknown attribute numbers are kept as raw bytes.
 * Host byte order throughout, except codecs named big-endian (ports). Depends on nothing.
 */
package io.overlaynet.netlink.codec;
