package io.junction.agent;

import io.junction.agent.config.ConfigLoader;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code junction self-test}: a whole agent on loopback, end to end, then a clean stop. A demo HTTP backend, a
 * temporary config on free ports with an HTTP-checked service and the registry, one request through the service, one
 * instance registered over the Consul API and reached through its service, every admin route read. Two uses: a smoke
 * test after an install (no port of the real config is touched), and the training run whose loaded classes make the
 * AppCDS archive that halves start-up ({@code -XX:ArchiveClassesAtExit}).
 *
 * <p>Confined to the calling thread.
 */
final class SelfTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final StringBuilder report = new StringBuilder();

    /** Runs every step; true when all passed. What each step did goes to {@link #report()}. */
    boolean run() throws IOException {
        Path dir = Files.createTempDirectory("junction-self-test");
        int backend = freePort();
        int demo = freePort();
        int web = freePort();
        int admin = freePort();
        int registry = freePort();
        Path config = dir.resolve("junction.yaml");
        Files.writeString(config, """
                admin:
                  listen: 127.0.0.1:%d
                proxy:
                  shutdownDrainTimeout: 1s
                discovery:
                  registry:
                    listen: 127.0.0.1:%d
                    stateFile: %s
                    allowLoopback: true
                services:
                  - name: demo
                    listen: 127.0.0.1:%d
                    endpoints: [127.0.0.1:%d]
                    healthCheck: {type: http, path: /, interval: 1s}
                  - name: web
                    listen: 127.0.0.1:%d
                """.formatted(admin, registry, dir.resolve("registry.json"), demo, backend, web));
        DemoBackends backends = DemoBackends.start(List.of(backend));
        try {
            Agent agent = Agent.start(config, new ConfigLoader().load(config), WAIT);
            try {
                return step("a request through a service", () -> body(http(demo, "GET", "/", "")).startsWith(
                        "hello from backend"))
                        & step("an instance registered over the Consul API", () -> http(registry, "PUT",
                        "/v1/agent/service/register", """
                                {"Name": "web", "Address": "127.0.0.1", "Port": %d}""".formatted(backend))
                        .startsWith("HTTP/1.1 200"))
                        & step("a request through the registered instance's service", () -> eventually(() ->
                        body(http(web, "GET", "/", "")).startsWith("hello from backend")))
                        & step("the admin routes", () -> Stream.of("/healthz", "/readyz", "/metrics", "/api/status",
                                "/api/services", "/api/registry", "/")
                        .allMatch(path -> http(admin, "GET", path, "").startsWith("HTTP/1.1 200")));
            } finally {
                agent.shutdown();
            }
        } finally {
            backends.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    String report() {
        return report.toString();
    }

    @FunctionalInterface
    private interface Check {
        boolean passes() throws IOException;
    }

    private boolean step(String what, Check check) {
        boolean ok;
        String why = "";
        try {
            ok = check.passes();
        } catch (IOException | UncheckedIOException e) {
            ok = false;
            why = ": " + e.getMessage();
        }
        report.append(ok ? "ok    " : "FAIL  ").append(what).append(why).append('\n');
        return ok;
    }

    /** Retries {@code check} until it passes or {@link #WAIT} ends: discovery changes take a moment to apply. */
    private static boolean eventually(Check check) throws IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                if (check.passes()) {
                    return true;
                }
            } catch (IOException | UncheckedIOException e) {
                // Until the registration is live the service has no endpoint, and the proxy resets the connection.
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** One HTTP/1.1 exchange with {@code Connection: close}; the whole answer, head and body. */
    private static String http(int port, String method, String path, String body) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout((int) WAIT.toMillis());
            byte[] content = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = s.getOutputStream();
            out.write(("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: %d\r\n\r\n"
                    .formatted(method, path, content.length)).getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " 127.0.0.1:" + port + path, e);
        }
    }

    private static String body(String answer) {
        int split = answer.indexOf("\r\n\r\n");
        return split < 0 ? "" : answer.substring(split + 4);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
