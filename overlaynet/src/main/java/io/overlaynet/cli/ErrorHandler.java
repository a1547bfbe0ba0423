package io.overlaynet.cli;

import picocli.CommandLine;

/**
 * Turns exceptions into one-line messages: bad input (IllegalArgumentException) exits 2, anything
 * else exits 1. A stack trace only with {@code OVERLAYNET_DEBUG=1}.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        if ("1".equals(System.getenv("OVERLAYNET_DEBUG"))) {
            ex.printStackTrace();
        }
        String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        System.err.println("overlaynet: " + message.lines().findFirst().orElse(message));
        return ex instanceof IllegalArgumentException ? Main.EXIT_USAGE : Main.EXIT_FAILURE;
    }
}
