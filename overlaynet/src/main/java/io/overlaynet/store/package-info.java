/**
 * The shared store: one interface ({@link io.overlaynet.store.Store}), a file implementation (default;
 * JSON files, atomic writes, inotify watches, the walkthroughs' arp/fdb layout mirrored) and an etcd one
 * (jetcd; leases, revision-resuming watches with full resync after compaction, transactions). Both pass
 * the same contract tests. Depends on Jackson and jetcd only.
 */
package io.overlaynet.store;
