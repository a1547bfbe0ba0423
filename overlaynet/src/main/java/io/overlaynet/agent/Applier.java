package io.overlaynet.agent;

/** Carries a {@link Plan} out. The agent's is {@link KernelApplier}; tests give their own. */
interface Applier {
    /**
     * Applies every step, in order within each network; returns how many were carried out. A delete
     * that finds nothing counts as done (the entry is gone either way).
     */
    int apply(Plan plan);
}
