package io.overlaynet.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code overlaynet --version}: the build's version, the Java runtime and the kernel. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("/overlaynet-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        }
        return new String[]{
            "overlaynet " + p.getProperty("version", "unknown"),
            "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")",
            "Linux " + System.getProperty("os.version")
        };
    }
}
