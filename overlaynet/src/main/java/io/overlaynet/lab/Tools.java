package io.overlaynet.lab;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The external programs a bench or an option needs (the main commands need none), looked up on PATH
 * before anything starts, so that a missing one is one line naming the Debian package, not a failure
 * half-way through with namespaces to clean up.
 */
public final class Tools {
    private Tools() {
    }

    /** Throws, naming {@code debianPackage}, unless {@code command} is an executable on PATH. */
    public static void require(String command, String debianPackage, String neededBy) {
        if (find(command) == null) {
            throw new IllegalStateException(neededBy + " needs " + command + ", which is not installed (not on PATH): "
                    + "apt-get install " + debianPackage);
        }
    }

    /** An executable file, by absolute path or on PATH; null when there is none. */
    public static Path find(String command) {
        if (command.contains("/")) {
            Path p = Path.of(command);
            return Files.isExecutable(p) ? p : null;
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, command);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }
}
