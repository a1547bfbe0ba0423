/**
 * Benchmarks as commands ({@code overlaynet bench ...}): each runs its reference (iproute2 batch, one
 * {@code ip} process per operation, the walkthroughs' scripts) in the same invocation, on fresh prefixed
 * namespaces that are removed afterwards, and reports medians and a final {@code name value} line.
 */
package io.overlaynet.bench;
