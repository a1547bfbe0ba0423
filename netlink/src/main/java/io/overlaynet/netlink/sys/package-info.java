/**
 * The C library calls the project needs (socket, bind, send, recv, setns, unshare, mount, ...),
 * bound with the Foreign Function &amp; Memory API. The only package that creates downcall handles;
 * failures become {@link io.overlaynet.netlink.sys.SysException} with the errno. Depends on nothing
 * else in the project.
 */
package io.overlaynet.netlink.sys;
