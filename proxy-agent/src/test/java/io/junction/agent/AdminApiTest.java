package io.junction.agent;

import io.junction.core.testing.TcpEchoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static io.junction.agent.AgentFixture.echoOnce;
import static io.junction.agent.AgentFixture.writeAtomically;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The admin server of a running agent, over real HTTP on loopback. */
class AdminApiTest {
    private final TcpEchoServer backend = new TcpEchoServer();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Agent agent;
    private int servicePort;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        servicePort = AgentFixture.freePort();
        int adminPort = AgentFixture.freePort();
        Path file = dir.resolve("junction.yaml");
        writeAtomically(file, """
                admin:
                  listen: 127.0.0.1:%d
                services:
                  - name: web
                    listen: 127.0.0.1:%d
                    endpoints:
                      - 127.0.0.1:%d
                      - address: 127.0.0.1:%d
                        ready: false
                """.formatted(adminPort, servicePort, backend.address().getPort(), AgentFixture.freePort()));
        agent = AgentFixture.start(file);
    }

    @AfterEach
    void stop() {
        agent.shutdown();
        backend.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.adminAddress().getPort() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthReadinessAndStatusAnswer() throws Exception {
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(get("/readyz").body()).isEqualTo("ready\n");
        HttpResponse<String> status = get("/api/status");
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(status.body()).contains("\"ready\" : true").contains("\"transport\"").contains("file:");
        assertThat(get("/").body()).contains("<h1>Junction").contains("default/web/tcp");
        assertThat(get("/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void servicesShowEndpointsEligibilityAndCounters() throws Exception {
        assertThat(echoOnce(servicePort, "hello")).isEqualTo("hello");

        String body = get("/api/services").body();

        assertThat(body).contains("\"service\" : \"default/web/tcp\"")
                .contains("\"eligible\" : false").contains("\"why\" : \"not ready\"")
                .contains("\"connectionsAccepted\" : 1");
    }

    @Test
    void metricsAreInPrometheusFormatWithPerServiceCounters() throws Exception {
        assertThat(echoOnce(servicePort, "hello")).isEqualTo("hello");

        HttpResponse<String> metrics = get("/metrics");

        assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        assertThat(metrics.body())
                .contains("junction_connections_total{service=\"default/web/tcp\"} 1.0")
                .contains("junction_bytes_total{direction=\"to_backend\",service=\"default/web/tcp\"} 5.0")
                .contains("junction_config_reloads_total")
                .contains("process_files_open_files");
    }

    @Test
    void aListenerThatCannotBindMakesTheAgentNotReadyAndSaysWhy() throws Exception {
        int taken;
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            taken = squatter.getLocalPort();
            Path file = dir.resolve("junction.yaml");
            String yaml = Files.readString(file).replace("""
                    services:
                    """, """
                    services:
                      - name: blocked
                        listen: 127.0.0.1:%d
                        endpoints: []
                    """.formatted(taken));
            writeAtomically(file, yaml);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> get("/readyz").statusCode() == 503);
            String body = get("/readyz").body();
            assertThat(body).contains("default/blocked/tcp").contains("127.0.0.1:" + taken);
            assertThat(echoOnce(servicePort, "others-still-served")).isEqualTo("others-still-served");
        }
        // The squatter left: the listener is retried and the agent becomes ready by itself.
        await().atMost(Duration.ofSeconds(12))
                .until(() -> get("/readyz").statusCode() == 200);
    }

    @Test
    void mutatingMethodsAreRefused() throws Exception {
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + agent.adminAddress().getPort() + "/api/services"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
    }
}
