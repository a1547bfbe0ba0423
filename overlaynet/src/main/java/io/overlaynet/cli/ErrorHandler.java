package io.overlaynet.cli;

import picocli.CommandLine;

/**
 * Turns exceptions into one-line messages: bad input (IllegalArgumentException) exits 2, anything
 * else exits 1. A stack trace only with {@code OVERLAYNET_DEBUG=1}.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        if (ex instanceof AlreadyReported) {
            return Main.EXIT_FAILURE;
        }
        return report(ex);
    }

    /** Prints the one-line message for {@code ex} now; returns its exit code. */
    static int report(Exception ex) {
        if ("1".equals(System.getenv("OVERLAYNET_DEBUG"))) {
            ex.printStackTrace();
        }
        String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        System.err.println("overlaynet: " + message.lines().findFirst().orElse(message));
        System.err.flush();
        return ex instanceof IllegalArgumentException ? Main.EXIT_USAGE : Main.EXIT_FAILURE;
    }

    /**
     * A failure whose message is already printed: during shutdown (Ctrl-C) the process may end as soon
     * as the command returns, before the handler would get to print.
     */
    static final class AlreadyReported extends RuntimeException {
        AlreadyReported(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }
}
