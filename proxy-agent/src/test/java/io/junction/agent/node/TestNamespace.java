package io.junction.agent.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * A network namespace a test creates, runs commands and JVMs in, and deletes (with every process it started there).
 * Addresses inside it exist only there, so nothing a test does in it reaches the host's network or nftables.
 * Test-only.
 */
final class TestNamespace implements AutoCloseable {
    private final String name;
    private final Path logs;
    private final List<Process> processes = new ArrayList<>();

    private TestNamespace(String name, Path logs) {
        this.name = name;
        this.logs = logs;
    }

    /** Skips the calling test, with the reason, unless it runs as root with iproute2 and nftables. */
    static void assumeRootWithNetworkTools() throws Exception {
        assumeThat(runOnHost("id", "-u").out().strip()).as("node mode tests need root (ip netns, nftables); skipped")
                .isEqualTo("0");
        assumeThat(runOnHost("sh", "-c", "command -v ip && command -v nft").code())
                .as("node mode tests need iproute2 and nftables installed (.ci/run installs them); skipped")
                .isZero();
    }

    /** Skips the calling test, with the reason, unless it runs as root with iproute2 (no nftables needed). */
    static void assumeRootWithIproute() throws Exception {
        assumeThat(runOnHost("id", "-u").out().strip()).as("network namespace tests need root (ip netns); skipped")
                .isEqualTo("0");
        assumeThat(runOnHost("sh", "-c", "command -v ip").code())
                .as("network namespace tests need iproute2 installed (.ci/run installs it); skipped").isZero();
    }

    /** A new namespace with {@code lo} up; process output goes to {@code logs}. */
    static TestNamespace create(String prefix, Path logs) throws Exception {
        String name = prefix + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        onHost("ip", "netns", "add", name);
        TestNamespace ns = new TestNamespace(name, logs);
        ns.exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    String name() {
        return name;
    }

    /** Runs {@code cmd} inside the namespace; its output, or an exception naming the command when it fails. */
    String exec(String... cmd) throws Exception {
        return onHost(inside(cmd));
    }

    /** Runs {@code cmd} inside the namespace; its exit code and output. */
    Result run(String... cmd) throws Exception {
        return runOnHost(inside(cmd));
    }

    /** A JVM on the test's classpath inside the namespace; its output goes to {@code <logName>.log}. */
    Process java(String logName, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(log(logName).toFile()).start();
        processes.add(p);
        return p;
    }

    Path log(String logName) {
        return logs.resolve(logName + ".log");
    }

    /** One TCP exchange from inside the namespace: the echoed text, or null when the connection failed. */
    String tcpExchange(String ip, int port, String message) throws Exception {
        Result r = run("timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/" + ip + "/" + port + " && printf %s "
                + message + " >&3 && head -c " + message.length() + " <&3");
        return r.code() == 0 ? r.out() : null;
    }

    /** One HTTP/1.0 GET from inside the namespace: the raw answer, head and body. */
    String httpGet(String ip, int port, String path) throws Exception {
        return exec("timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/" + ip + "/" + port + " && printf 'GET " + path
                + " HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3");
    }

    /**
     * One HTTP/1.0 PUT of a JSON body from inside the namespace, through bash's /dev/tcp (a container needs no curl):
     * the raw answer, head and body. The values travel as arguments, so the body needs no shell quoting.
     */
    String httpPut(String ip, int port, String path, String json) throws Exception {
        return exec("timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/$0/$1 && printf 'PUT %s HTTP/1.0\\r\\n"
                + "Content-Type: application/json\\r\\nContent-Length: %d\\r\\n\\r\\n%s' \"$2\" \"${#3}\" \"$3\" >&3"
                + " && cat <&3", ip, Integer.toString(port), path, json);
    }

    /** The processes started here stop (SIGKILL) and are waited for; the namespace stays. */
    void killProcesses() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Stops every process started here, then deletes the namespace. */
    @Override
    public void close() throws IOException {
        try {
            killProcesses();
            runOnHost("ip", "netns", "delete", name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while deleting namespace " + name, e);
        }
    }

    private List<String> inside(String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        return full;
    }

    record Result(int code, String out) {
    }

    /** Runs {@code cmd} in the test's own namespace; its output, or an exception naming the command. */
    static String onHost(String... cmd) throws Exception {
        return onHost(List.of(cmd));
    }

    private static String onHost(List<String> cmd) throws Exception {
        Result r = runOnHost(cmd);
        if (r.code() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited " + r.code() + ": " + r.out());
        }
        return r.out();
    }

    /** Runs {@code cmd} in the test's own namespace; its exit code and output. */
    static Result runOnHost(String... cmd) throws IOException, InterruptedException {
        return runOnHost(List.of(cmd));
    }

    private static Result runOnHost(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
