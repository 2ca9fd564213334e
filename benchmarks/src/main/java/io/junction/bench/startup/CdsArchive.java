package io.junction.bench.startup;

import io.junction.bench.targets.ChildProcess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An AppCDS archive of the agent's classes, made the way an install step would: one start with
 * {@code -XX:ArchiveClassesAtExit=FILE} until the agent serves, then SIGTERM; the JVM writes the archive during its
 * clean exit (JDK 17 has no {@code -XX:+AutoCreateSharedArchive}). A second, short JVM then proves it applies to
 * this jar: {@code junction.jar validate} with {@code -Xlog:class+load}, counting the classes that came from the
 * archive. Immutable.
 *
 * @param file          the archive
 * @param bytes         its size
 * @param createMillis  launch to the archive written (the dumping start and its exit)
 * @param sharedClasses classes the verifying JVM loaded from the archive (its "top" layer)
 */
record CdsArchive(Path file, long bytes, double createMillis, int sharedClasses) {
    /** A clean exit drains nothing here, but the dump itself takes a few seconds on a small machine. */
    private static final Duration EXIT_GRACE = Duration.ofSeconds(30);

    static CdsArchive create(AgentLauncher launcher, StartupConfig config, Path configFile,
                             Path archive, Path logDir, Duration timeout)
            throws IOException, StartupFailedException, InterruptedException {
        Files.deleteIfExists(archive);
        Path log = logDir.resolve("cds-dump.log");
        ChildProcess child = launcher.startAgent("junction-cds-dump", List.of("-XX:ArchiveClassesAtExit=" + archive),
                configFile, log);
        int exit;
        try {
            StartupProbe.await(child, config, timeout);
        } finally {
            exit = child.stop(EXIT_GRACE);
        }
        double millis = (System.nanoTime() - child.launchedNanos()) / 1e6;
        if (exit != 0 || !Files.isRegularFile(archive)) {
            throw new StartupFailedException("the archiving start exited with " + exit + " and "
                    + (Files.isRegularFile(archive) ? "an archive" : "no archive") + " at " + archive
                    + "; see " + log + ":\n" + child.logTail(15));
        }
        int shared = verify(launcher, archive, configFile, logDir);
        if (shared == 0) {
            throw new StartupFailedException("the JVM loaded no class from " + archive + " (see "
                    + logDir.resolve("cds-verify.log") + "): the archive does not fit this jar or these options");
        }
        return new CdsArchive(archive, Files.size(archive), millis, shared);
    }

    /** Runs {@code validate} on the archive and counts the classes it loaded from it. */
    private static int verify(AgentLauncher launcher, Path archive, Path configFile, Path logDir)
            throws IOException, InterruptedException, StartupFailedException {
        Path classLog = logDir.resolve("cds-verify-classes.log");
        Path log = logDir.resolve("cds-verify.log");
        Files.deleteIfExists(classLog);
        List<String> cmd = launcher.command(List.of("-XX:SharedArchiveFile=" + archive,
                "-Xlog:class+load=info:file=" + classLog), "validate", configFile.toAbsolutePath().toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new StartupFailedException("`junction.jar validate` with the archive did not end within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new StartupFailedException("`junction.jar validate` with the archive exited with " + p.exitValue()
                    + "; see " + log);
        }
        return countShared(Files.readAllLines(classLog, StandardCharsets.UTF_8));
    }

    /** Lines of {@code -Xlog:class+load} that name the dynamic archive (the "top" layer) as the source. */
    static int countShared(List<String> classLoadLines) {
        int n = 0;
        for (String line : classLoadLines) {
            if (line.contains("source: shared objects file (top)")) {
                n++;
            }
        }
        return n;
    }
}
