package io.overlaynet.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The lab's etcd credentials, made with {@code openssl} for one lab: a CA, a server certificate for the
 * members' addresses, a client certificate, and a password for etcd's user (a file only root reads).
 * Keys are P-256, in PKCS#8 PEM (what gRPC's TLS reads).
 */
public record LabTls(Path dir, Path ca, Path serverCert, Path serverKey, Path clientCert, Path clientKey, String user,
                     Path passwordFile) {

    /** The user the lab's agents authenticate as (granted the overlaynet keys only). */
    public static final String USER = "overlaynet";

    /** Makes everything in {@code dir}: the server certificate names {@code ips} (and 127.0.0.1). */
    public static LabTls make(Path dir, List<String> ips) {
        Tools.require("openssl", "openssl", "--tls");
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            LabTls t = new LabTls(dir, dir.resolve("ca.pem"), dir.resolve("server.pem"), dir.resolve("server-key.pem"),
                    dir.resolve("client.pem"), dir.resolve("client-key.pem"), USER, dir.resolve("password"));
            openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "30", "-subj", "/CN=overlaynet lab CA");
            List<String> sans = new ArrayList<>(List.of("IP:127.0.0.1"));
            ips.stream().distinct().filter(ip -> !ip.equals("127.0.0.1")).forEach(ip -> sans.add("IP:" + ip));
            sign(dir, "server", "etcd", "subjectAltName=" + String.join(",", sans) + "\nextendedKeyUsage=serverAuth\n");
            sign(dir, "client", USER, "extendedKeyUsage=clientAuth\n");
            byte[] pw = new byte[18];
            new SecureRandom().nextBytes(pw);
            Files.writeString(t.passwordFile(), HexFormat.of().formatHex(pw) + "\n");
            Files.setPosixFilePermissions(t.passwordFile(), PosixFilePermissions.fromString("rw-------"));
            return t;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the lab's TLS files in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The password in {@link #passwordFile}. */
    public String password() {
        try {
            return Files.readString(passwordFile).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A key and a certificate for {@code cn} signed by the CA, with the extensions given. */
    private static void sign(Path dir, String name, String cn, String extensions) throws IOException {
        Path ext = dir.resolve(name + ".ext");
        Files.writeString(ext, extensions);
        openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + "-key.pem", "-out", name + ".csr", "-subj", "/CN=" + cn);
        openssl(dir, "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                "-out", name + ".pem", "-days", "30", "-extfile", ext.getFileName().toString());
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (p.waitFor() != 0) {
                throw new IOException("openssl " + args[0] + " failed: " + out.strip().lines().reduce((a, b) -> b).orElse(""));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
