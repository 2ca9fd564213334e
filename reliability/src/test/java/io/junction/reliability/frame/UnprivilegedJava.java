package io.junction.reliability.frame;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * JVMs run as an unprivileged user (scenario 24): {@code setpriv --reuid --regid --clear-groups}, optionally with one
 * ambient capability, inside a namespace. Such a user cannot read this suite's class path where Maven keeps it (the
 * local repository under root's home), so the class path is copied once into a directory everyone may read; the JDK
 * must be readable as it is (the caller checks). {@link #start} execs java in place, so the process id is the JVM's.
 */
public final class UnprivilegedJava {
    private final String classPath;
    private final String uid;
    private final String gid;

    private UnprivilegedJava(String classPath, String uid, String gid) {
        this.classPath = classPath;
        this.uid = uid;
        this.gid = gid;
    }

    /**
     * Copies this JVM's class path into {@code dir} (made world-readable, with its files) for the user with numeric
     * ids {@code uid}:{@code gid}.
     */
    public static UnprivilegedJava copyClassPath(Path dir, String uid, String gid) throws IOException {
        Files.createDirectories(dir);
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path from = Path.of(entry);
            if (!Files.exists(from)) {
                continue;
            }
            Path to = dir.resolve(i++ + (Files.isDirectory(from) ? "" : ".jar"));
            copy(from, to);
            entries.add(to.toString());
        }
        readableByAll(dir);
        return new UnprivilegedJava(String.join(java.io.File.pathSeparator, entries), uid, gid);
    }

    /** Makes {@code path} and everything under it readable (directories searchable) by every user. */
    public static void readableByAll(Path path) throws IOException {
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
                        Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    /**
     * Starts {@code mainClass} inside {@code ns} as the unprivileged user; {@code ambientCapability} (such as
     * {@code net_bind_service}) or null for none. Output goes to {@code log} (opened here, by this user).
     */
    public Process start(Netns ns, String ambientCapability, Path log, String mainClass, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(ns.inside(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid,
                "--clear-groups")));
        if (ambientCapability != null) {
            cmd.addAll(List.of("--inh-caps=+" + ambientCapability, "--ambient-caps=+" + ambientCapability));
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Dlogback.configurationFile=logback.xml", "-cp", classPath,
                mainClass));
        cmd.addAll(List.of(args));
        Files.createDirectories(log.getParent());
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void copy(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        try (Stream<Path> all = Files.walk(from)) {
            all.forEach(p -> {
                Path target = to.resolve(from.relativize(p).toString());
                try {
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
