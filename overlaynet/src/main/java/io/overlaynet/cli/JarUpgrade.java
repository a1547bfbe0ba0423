package io.overlaynet.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Run by {@code bin/install} on the jar it installs: rewrites class files older than Java 6 (version
 * 50) as Java 7 class files (version 51) with stack maps, using the JDK's class-file API. picocli is built for Java 5, and
 * the JVM neither stores such classes in an ahead-of-time cache nor verifies them quickly (they take
 * the old inferencing verifier at every start); neither do any of our classes that implement its
 * interfaces. Rewritten, all of them load from the cache. The code is unchanged: only the version
 * and the stack map frames the newer format requires. Version 51 rather than 50: the JVM checks a 51
 * class's frames strictly, where for 50 it may fall back to the old verifier, which would hide a bad one.
 *
 * <p>Usage: {@code JarUpgrade IN.jar OUT.jar}; prints how many classes it rewrote.
 */
public final class JarUpgrade {
    private static final int JAVA_6 = 50;
    private static final int JAVA_7 = 51;

    private JarUpgrade() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: JarUpgrade IN.jar OUT.jar");
            System.exit(2);
        }
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Path tmp = Files.createTempFile(out.toAbsolutePath().getParent(), "upgrade", ".jar");
        int rewritten = 0;
        try (JarFile jar = new JarFile(in.toFile());
             URLClassLoader loader = new URLClassLoader(new URL[]{in.toUri().toURL()}, null);
             OutputStream os = Files.newOutputStream(tmp);
             JarOutputStream jos = new JarOutputStream(os)) {
            // Frames need the common super class of two types: read the hierarchy from the jar, then the JDK.
            ClassHierarchyResolver hierarchy = ClassHierarchyResolver.defaultResolver()
                    .orElse(ClassHierarchyResolver.ofResourceParsing(loader)).cached();
            ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(hierarchy),
                    ClassFile.StackMapsOption.GENERATE_STACK_MAPS);
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                byte[] bytes;
                try (InputStream is = jar.getInputStream(e)) {
                    bytes = is.readAllBytes();
                }
                if (e.getName().endsWith(".class") && !e.getName().startsWith("META-INF/")) {
                    byte[] newer = upgrade(cf, bytes);
                    if (newer != bytes) {
                        bytes = newer;
                        rewritten++;
                    }
                }
                JarEntry copy = new JarEntry(e.getName());
                copy.setTime(e.getTime());
                jos.putNextEntry(copy);
                jos.write(bytes);
                jos.closeEntry();
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("rewrote " + rewritten + " class files as Java 7");
    }

    /** The class as version 51 with stack maps when it is older than 50; otherwise the same array. */
    static byte[] upgrade(ClassFile cf, byte[] bytes) {
        int major = ((bytes[6] & 0xff) << 8) | (bytes[7] & 0xff);
        if (major >= JAVA_6) {
            return bytes;
        }
        ClassModel model = cf.parse(bytes);
        // Method bodies are rebuilt (not copied), so the stack maps are made for them.
        ClassTransform version = (builder, element) -> {
            if (element instanceof ClassFileVersion) {
                builder.withVersion(JAVA_7, 0);
            } else {
                builder.with(element);
            }
        };
        return cf.transformClass(model, version.andThen(ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)));
    }
}
