package io.junction.agent;

import io.junction.core.testing.TcpEchoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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
    private int deadPort;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        servicePort = AgentFixture.freePort();
        deadPort = AgentFixture.freePort();
        int adminPort = AgentFixture.freePort();
        Path file = dir.resolve("junction.yaml");
        writeAtomically(file, """
                admin:
                  listen: 127.0.0.1:%d
                proxy:
                  shutdownDrainTimeout: 5s
                discovery:
                  registry: {listen: "127.0.0.1:%d", stateFile: "%s"}
                services:
                  - name: web
                    listen: 127.0.0.1:%d
                    endpoints:
                      - address: 127.0.0.1:%d
                        node: node-a
                      - address: 127.0.0.1:%d
                        ready: false
                  - name: dns
                    protocol: udp
                    listen: 127.0.0.1:%d
                    endpoints: [127.0.0.1:9]
                  - name: checked
                    listen: 127.0.0.1:%d
                    healthCheck: {type: tcp, interval: 100ms, timeout: 100ms, unhealthyThreshold: 2, jitter: 0%%}
                    endpoints: [127.0.0.1:%d, 127.0.0.1:%d]
                """.formatted(adminPort, AgentFixture.freePort(), dir.resolve("registry.json"), servicePort,
                backend.address().getPort(), AgentFixture.freePort(),
                AgentFixture.freePort(), AgentFixture.freePort(), backend.address().getPort(), deadPort));
        agent = AgentFixture.start(file);
    }

    @AfterEach
    void stop() {
        agent.shutdown();
        backend.close();
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static JsonNode find(JsonNode services, String key) {
        for (JsonNode s : services) {
            if (s.get("service").asString().equals(key)) {
                return s;
            }
        }
        throw new AssertionError("no service " + key + " in " + services);
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.propertyNames().forEach(out::add);
        return out;
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
        // The status page is static and renders these JSON routes in the browser (StatusPageBrowserTest).
        HttpResponse<String> page = get("/");
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("<title>Junction</title>").contains("fetch(path");
        HttpResponse<String> registry = get("/api/registry");
        assertThat(registry.statusCode()).as("this agent runs a registry").isEqualTo(200);
        assertThat(registry.body()).contains("\"instances\"");
        assertThat(get("/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void servicesShowEndpointsEligibilityAndCounters() throws Exception {
        assertThat(echoOnce(servicePort, "hello")).isEqualTo("hello");

        String body = get("/api/services").body();

        assertThat(body).contains("\"service\" : \"default/web/tcp\"")
                .contains("\"eligible\" : false").contains("\"why\" : \"not ready\"")
                .contains("\"connectionsAccepted\" : 1")
                .contains("\"node\" : \"node-a\"");
    }

    @Test
    void servicesShowEachEndpointsHealthAndPanic() throws Exception {
        await().atMost(Duration.ofSeconds(5)).until(() -> get("/api/services").body()
                .contains("failed tcp health check"));
        JsonNode checked = find(JSON.readTree(get("/api/services").body()), "default/checked/tcp");

        assertThat(checked.get("panic").asBoolean()).as("1 of 2 healthy is not below 50%").isFalse();
        JsonNode live = checked.get("endpoints").get(0);
        JsonNode dead = checked.get("endpoints").get(1);
        assertThat(live.get("eligible").asBoolean()).isTrue();
        assertThat(live.get("health").get("check").get("healthy").asBoolean()).isTrue();
        assertThat(live.get("health").get("breaker").get("state").asString()).isEqualTo("closed");
        assertThat(dead.get("eligible").asBoolean()).isFalse();
        assertThat(dead.get("why").asString()).startsWith("failed tcp health check (");
        assertThat(dead.get("health").get("check").get("lastResult").asString()).isNotEmpty();
        assertThat(dead.get("health").get("check").has("lastProbeAt")).isTrue();
        assertThat(get("/metrics").body())
                .contains("junction_endpoints_failing_check{service=\"default/checked/tcp\"} 1.0")
                .contains("junction_service_panic{service=\"default/checked/tcp\"} 0.0")
                .contains("junction_health_probes_total{result=\"fail\"}");
    }

    @Test
    void eachServiceShowsTheCountersOfItsOwnProtocol() throws Exception {
        JsonNode services = JSON.readTree(get("/api/services").body());
        JsonNode web = find(services, "default/web/tcp").get("counters");
        JsonNode dns = find(services, "default/dns/udp").get("counters");

        assertThat(names(web)).contains("connectionsAccepted", "connectRetries").noneMatch(n -> n.startsWith("udp"));
        assertThat(names(web.get("failures"))).contains("connect_failed", "idle_timeout")
                .doesNotContain("session_limit", "oversize_datagram", "send_queue_full");
        assertThat(names(dns)).contains("udpSessionsCreated", "udpDatagramsToBackend")
                .doesNotContain("connectionsAccepted", "connectRetries", "connectFailures");
        assertThat(names(dns.get("failures"))).contains("session_limit")
                .doesNotContain("idle_timeout", "drain_timeout", "connection_limit");

        String metrics = get("/metrics").body();
        assertThat(metrics).contains("junction_connections_total{service=\"default/web/tcp\"}")
                .doesNotContain("junction_connections_total{service=\"default/dns/udp\"}")
                .contains("junction_udp_sessions_total{service=\"default/dns/udp\"}")
                .doesNotContain("junction_udp_sessions_total{service=\"default/web/tcp\"}")
                .doesNotContain("reason=\"session_limit\",service=\"default/web/tcp\"")
                .doesNotContain("reason=\"idle_timeout\",service=\"default/dns/udp\"");
    }

    /** Every {@code junction_*} metric name the README and docs/ mention is one /metrics exports. */
    @Test
    void everyMetricTheDocsNameIsExported() throws Exception {
        String metrics = get("/metrics").body();
        Set<String> exported = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^(junction_[a-z0-9_]+)").matcher(metrics);
        while (m.find()) {
            exported.add(m.group(1));
        }
        Path root = AgentFixture.repositoryRoot();
        List<Path> docs = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> files = Files.list(root.resolve("docs"))) {
            files.filter(f -> f.toString().endsWith(".md")).forEach(docs::add);
        }
        Set<String> mentioned = new TreeSet<>();
        for (Path doc : docs) {
            Matcher d = Pattern.compile("\\bjunction_[a-z0-9_]*[a-z0-9]").matcher(Files.readString(doc));
            while (d.find()) {
                mentioned.add(d.group());
            }
        }
        assertThat(mentioned).as("metric names in the docs").isNotEmpty().containsAll(ConsulAgentTest.METRICS);
        // A discovery block's own metrics exist only with the block on (this agent runs only the registry); each
        // source's agent test checks them (KubernetesAgentTest, ConsulAgentTest, ZooKeeperAgentTest, EurekaAgentTest,
        // NacosAgentTest).
        mentioned.removeIf(name -> name.startsWith("junction_zookeeper_"));
        mentioned.removeAll(ConsulAgentTest.METRICS);
        mentioned.removeAll(EurekaAgentTest.SOURCE_METRICS);
        assertThat(exported).as("exported by /metrics").containsAll(mentioned);
    }

    @Test
    void whileShuttingDownReadinessSaysSoAndLiveConnectionsFinish() throws Exception {
        Thread stopper;
        try (Socket live = new Socket("127.0.0.1", servicePort)) {
            live.setSoTimeout(5000);
            assertThat(AgentFixture.roundTrip(live, "before")).isEqualTo("before");
            stopper = new Thread(agent::shutdown, "test-shutdown");
            stopper.start();
            await().atMost(Duration.ofSeconds(3)).until(() -> get("/readyz").statusCode() == 503);

            assertThat(get("/readyz").body()).isEqualTo("not ready: shutting down\n");
            assertThat(JSON.readTree(get("/api/status").body()).get("notReadyReason").asString())
                    .isEqualTo("shutting down");
            assertThat(AgentFixture.roundTrip(live, "during-drain")).isEqualTo("during-drain");
        }
        // The live connection ended: the drain ends with it, well before its 5 s deadline.
        await().atMost(Duration.ofSeconds(4)).until(() -> !stopper.isAlive());
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
            // /readyz and /api/status agree, word for word (the status page shows /api/status's reason).
            JsonNode status = JSON.readTree(get("/api/status").body());
            assertThat(status.get("ready").asBoolean()).isFalse();
            assertThat("not ready: " + status.get("notReadyReason").asString() + "\n").isEqualTo(body);
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
