/**
 * The {@code overlaynet} command line (picocli). Commands parse and validate input, call the layers
 * below and print; exit 0 on success, 1 on a runtime failure, 2 on a usage error, one-line errors.
 */
package io.overlaynet.cli;
