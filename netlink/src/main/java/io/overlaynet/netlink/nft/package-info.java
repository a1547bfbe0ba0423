/**
 * nf_tables over netlink (NETLINK_NETFILTER): transactions of table, base-chain and rule requests, and
 * the expressions overlaynet needs (payload, bitwise, cmp, meta, masquerade). Tested against
 * {@code nft -j list ruleset}. Depends on codec, socket and netns.
 */
package io.overlaynet.netlink.nft;
