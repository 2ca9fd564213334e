package io.junction.reliability.frame;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM the suite starts on its own test class path (an agent, a backend, a client inside a namespace), so that
 * {@code kill -9}, descriptor counts and RSS are those of a real separate process. Output goes to a log file.
 */
public final class JavaProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private JavaProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code mainClass} with {@code args}; {@code prefix} runs before java (e.g. ip netns exec NAME, or
     * prlimit), which must exec java in place so that {@link #pid()} is the JVM's.
     */
    public static JavaProcess start(List<String> prefix, String heap, Path log, String mainClass, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap,
                "-XX:+UseSerialGC",
                // The agent's own logging config (proxy-agent's logback.xml), not the logback-test.xml that
                // proxy-core's test classes bring onto this class path and that turns the access log off.
                "-Dlogback.configurationFile=logback.xml", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new JavaProcess(p, log);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Process process() {
        return process;
    }

    /** Everything the process wrote so far. */
    public String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** SIGKILL, the way a crashed or OOM-killed process ends; waits until it is gone. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Open file descriptors now, from /proc. */
    public int fdCount() throws IOException {
        try (var s = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
            return (int) s.count();
        }
    }

    /**
     * The lowest descriptor number free now. The kernel gives a new descriptor the lowest free number and refuses it
     * (EMFILE) when that number is not below the soft limit, so a limit at this number makes the next allocation fail
     * however many descriptors are open above it.
     */
    public int lowestFreeFd() throws IOException {
        try (var s = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
            java.util.BitSet used = new java.util.BitSet();
            s.forEach(fd -> used.set(Integer.parseInt(fd.getFileName().toString())));
            return used.nextClearBit(0);
        }
    }

    /** Resident set size now, in KiB, from /proc/PID/status. */
    public long rssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/" + pid() + "/status");
    }

    /** SIGKILL if still running; waits for the end (an interrupt is kept for the caller, the kill still sent). */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
