/**
 * A pure-Java rtnetlink library: netlink wire codec, an FFM socket, network namespaces and the
 * rtnetlink operations overlaynet needs, named after the iproute2 commands they replace.
 *
 * <p>Layers, each depending only on those below it: {@code sys} (the only FFM code: libc calls),
 * {@code codec} (bytes only, no system calls), {@code socket} (request/ACK, dumps, pipelined
 * batches), {@code netns} (named namespaces the iproute2 way, tasks inside a namespace),
 * {@code rtnl} (links, addresses, routes, neighbours, FDB, events, sysctls), {@code nft} (nf_tables
 * transactions: tables, chains, rules and their expressions), {@code packet} (AF_PACKET and raw ICMP
 * sockets: ARP frames, ICMP echo). This package holds the
 * typed {@link io.overlaynet.netlink.NetlinkException} every layer throws for kernel refusals.
 *
 * <p>No third-party dependencies.
 */
package io.overlaynet.netlink;
