package io.junction.bench.targets;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A proxy process the harness started, with stdout and stderr going to a log file (never to a pipe that could
 * fill up). It is registered with {@link ChildProcesses} so a shutdown hook ends it even when the run is
 * interrupted. Stopping goes by PID: SIGTERM to the process and its descendants, a bounded wait, then SIGKILL.
 * Thread-safe.
 */
public final class ChildProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);
    private static final long GRACE_MILLIS = 3000;

    private final String name;
    private final Process process;
    private final Path logFile;
    private final long launchedNanos;

    private ChildProcess(String name, Process process, Path logFile, long launchedNanos) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.launchedNanos = launchedNanos;
    }

    /** Starts {@code command} with its output appended to {@code logFile}. */
    public static ChildProcess start(String name, List<String> command, Path logFile) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        long launched = System.nanoTime();
        Process p = pb.start();
        ChildProcess child = new ChildProcess(name, p, logFile, launched);
        ChildProcesses.register(child);
        log.info("started name={} pid={} command=\"{}\" log={}", name, p.pid(), String.join(" ", command), logFile);
        return child;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** {@link System#nanoTime()} just before the process was spawned. */
    public long launchedNanos() {
        return launchedNanos;
    }

    /** The last lines of the process log, for error messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log " + logFile + " unreadable: " + e.getMessage() + ")";
        }
    }

    /** Ends the process and its descendants by PID; idempotent. */
    @Override
    public void close() {
        stop(Duration.ofMillis(GRACE_MILLIS));
    }

    /**
     * Ends the process and its descendants by PID: SIGTERM, up to {@code grace} for a clean exit, then SIGKILL.
     * Idempotent.
     *
     * @return the exit code, or -1 when the process could not be reaped
     */
    public int stop(Duration grace) {
        if (process.isAlive()) {
            List<ProcessHandle> descendants = process.descendants().toList();
            process.destroy();
            descendants.forEach(ProcessHandle::destroy);
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("kill name={} pid={} reason=\"no exit {} ms after SIGTERM\"", name, pid(),
                            grace.toMillis());
                    process.destroyForcibly();
                    process.waitFor(GRACE_MILLIS, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            log.info("stopped name={} pid={} exit={}", name, pid(), process.isAlive() ? "?" : process.exitValue());
        }
        ChildProcesses.unregister(this);
        return process.isAlive() ? -1 : process.exitValue();
    }

    @Override
    public String toString() {
        return name + "[pid " + pid() + "]";
    }
}
