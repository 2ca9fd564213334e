package io.junction.core.health;

import com.sun.net.httpserver.HttpServer;
import io.junction.core.model.Endpoint;
import io.junction.core.model.HealthCheck;
import io.junction.core.model.HealthSettings;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServicePolicy;
import io.junction.core.state.ServiceHandle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** An HTTP health check takes an endpoint out after its failures and back after its passes, and traffic follows. */
class HttpCheckEjectionTest {
    private final HealthProxy proxy = new HealthProxy();
    private final Backend good = new Backend();
    private final Backend sick = new Backend();

    /** An HTTP backend: {@code /healthz} answers a status the test sets; other paths are counted. */
    private static final class Backend implements AutoCloseable {
        final HttpServer server;
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger failedChecks = new AtomicInteger();
        final AtomicInteger passedChecks = new AtomicInteger();
        volatile int healthStatus = 200;

        Backend() {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            server.createContext("/healthz", ex -> {
                int status = healthStatus;
                (status == 200 ? passedChecks : failedChecks).incrementAndGet();
                ex.sendResponseHeaders(status, -1);
                ex.close();
            });
            server.createContext("/", ex -> {
                requests.incrementAndGet();
                byte[] body = "hello".getBytes(StandardCharsets.US_ASCII);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                ex.close();
            });
            server.start();
        }

        InetSocketAddress address() {
            return server.getAddress();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        good.close();
        sick.close();
    }

    private static void get(InetSocketAddress proxyAddress) throws IOException {
        try (Socket s = new Socket(proxyAddress.getAddress(), proxyAddress.getPort())) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.0\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.1 200").endsWith("hello");
        }
    }

    @Test
    void anEndpointFailingItsCheckIsEjectedAfterTheThresholdAndReadmittedAfterPasses() throws Exception {
        HealthCheck check = HealthCheck.http("/healthz").withInterval(Duration.ofMillis(100))
                .withTimeout(Duration.ofSeconds(1)).withThresholds(2, 3).withJitterPercent(0);
        ServiceKey key = HealthProxy.tcp("api");
        ServiceHandle handle = proxy.serve(key, ServicePolicy.DEFAULTS.withLb(LbPolicy.ROUND_ROBIN)
                        .withHealth(HealthSettings.DEFAULTS.withCheck(check)),
                List.of(Endpoint.of(good.address()), Endpoint.of(sick.address())));
        await().atMost(Duration.ofSeconds(2)).until(() -> sick.passedChecks.get() >= 1);

        sick.healthStatus = 500;
        await().atMost(Duration.ofSeconds(3)).until(() -> !HealthProxy.eligible(handle, sick.address()));
        assertThat(sick.failedChecks.get()).as("failed probes before the ejection").isGreaterThanOrEqualTo(3);
        assertThat(HealthProxy.why(handle, sick.address())).startsWith("failed http health check (HTTP 500");
        assertThat(proxy.board.describe(key, sick.address())).containsKey("check");

        int before = sick.requests.get();
        for (int i = 0; i < 10; i++) {
            get(proxy.address(key));
        }
        assertThat(sick.requests.get()).as("requests that reached the ejected endpoint").isEqualTo(before);
        assertThat(good.requests.get()).isGreaterThanOrEqualTo(10);

        int passesBefore = sick.passedChecks.get();
        sick.healthStatus = 200;
        await().atMost(Duration.ofSeconds(3)).until(() -> HealthProxy.eligible(handle, sick.address()));
        assertThat(sick.passedChecks.get() - passesBefore).as("passes before readmission").isGreaterThanOrEqualTo(2);
        for (int i = 0; i < 10; i++) {
            get(proxy.address(key));
        }
        assertThat(sick.requests.get()).as("the readmitted endpoint takes traffic again").isGreaterThan(before);
    }
}
