package io.junction.agent.discovery.eureka;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Eureka server (Spring Cloud Netflix, the eureka-test-server module's jar) as a child process on a loopback
 * port, and the eureka-client registrar from the same jar. Stopped by their own process ids. Test-only.
 */
public final class EurekaServerProcess implements AutoCloseable {
    /** JVM flags for quick starts of short-lived test JVMs on a loaded machine. */
    private static final List<String> JVM_FLAGS = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Xshare:auto");

    private final int port;
    private final Path log;
    private Process process;

    public EurekaServerProcess(int port, Path log) {
        this.port = port;
        this.log = log;
    }

    /** The executable jar built by the eureka-test-server module. */
    static Path jar() {
        String p = System.getProperty("junction.eureka.serverJar");
        if (p == null || !Files.isRegularFile(Path.of(p))) {
            throw new IllegalStateException("no Eureka test server jar at " + p
                    + " (expected: built by the eureka-test-server module, e.g. mvn -pl proxy-agent -am test)");
        }
        return Path.of(p);
    }

    static List<String> java(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    public String serviceUrl() {
        return "http://127.0.0.1:" + port + "/eureka/";
    }

    /** Starts the server without waiting for it. */
    public EurekaServerProcess start() throws IOException {
        process = new ProcessBuilder(java("--server.port=" + port)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return this;
    }

    /** Waits until the registry answers 200 (the server also refuses reads for a few seconds after it starts). */
    public void awaitServing(Duration max) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest apps = HttpRequest.newBuilder(URI.create(serviceUrl() + "apps/"))
                .header("Accept", "application/json").timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Eureka server exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (http.send(apps, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Eureka server not serving after " + max + "; see " + log);
    }

    /** Stops the server by its process id and waits for it to exit. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
