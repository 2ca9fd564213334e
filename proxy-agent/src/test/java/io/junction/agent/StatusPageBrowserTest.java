package io.junction.agent;

import com.sun.net.httpserver.HttpServer;
import io.junction.agent.config.ConfigLoader;
import io.junction.core.testing.TcpEchoServer;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The status page as a browser renders it: a running agent with real backends and traffic, the page loaded by
 * headless Chromium ({@code --dump-dom}, with virtual time so that several 2 s polls run in a moment), and assertions
 * on the DOM the page's script built. Skipped only when Chromium is not installed ({@code .ci/run} installs it).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StatusPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    /** Virtual time the page gets: five polls. */
    private static final int VIRTUAL_MILLIS = 10_000;

    private final TcpEchoServer a = new TcpEchoServer();
    private final TcpEchoServer b = new TcpEchoServer();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void needsChromium() {
        assumeTrue(Files.isExecutable(CHROMIUM), "skipped: no " + CHROMIUM + " (apt-get install chromium; .ci/run does)");
    }

    @AfterEach
    void close() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        a.close();
        b.close();
    }

    @Test
    void servicesEndpointsInTheirHealthColoursLiveRatesAndTheRegistry() throws Exception {
        int webPort = AgentFixture.freePort();
        int deadPort = AgentFixture.freePort();
        int adminPort = AgentFixture.freePort();
        Path config = dir.resolve("junction.yaml");
        Files.writeString(config, """
                admin:
                  listen: 127.0.0.1:%d
                services:
                  - name: web
                    listen: 127.0.0.1:%d
                    healthCheck: {type: tcp, interval: 200ms, timeout: 100ms, unhealthyThreshold: 1}
                    endpoints: [127.0.0.1:%d, 127.0.0.1:%d, 127.0.0.1:%d]
                """.formatted(adminPort, webPort, a.address().getPort(), b.address().getPort(), deadPort));
        Agent agent = AgentFixture.start(config);
        resources.add(agent);
        String base = "http://127.0.0.1:" + adminPort + "/";
        await().atMost(Duration.ofSeconds(10)).until(() -> get(base + "api/services").contains("failed tcp health check"));

        Traffic traffic = new Traffic(webPort);
        Document page;
        try {
            page = render(base);
        } finally {
            traffic.close();
        }
        assertThat(page.getElementById("readiness").text()).isEqualTo("ready");
        assertThat(page.getElementById("api-state").hasClass("api-ok")).isTrue();
        Element web = page.selectFirst("section.service[data-service=default/web/tcp]");
        assertThat(web).as("the web service's card").isNotNull();
        assertThat(endpoint(web, a.address().getPort()).hasClass("health-ok")).isTrue();
        assertThat(endpoint(web, b.address().getPort()).hasClass("health-ok")).isTrue();
        Element dead = endpoint(web, deadPort);
        assertThat(dead.hasClass("health-out")).isTrue();
        assertThat(dead.selectFirst("td.why").text()).contains("failed tcp health check");
        double connectionsPerSecond = Double.parseDouble(web.selectFirst("[data-rate=conn/s]").attr("data-value"));
        double bytesInPerSecond = Double.parseDouble(web.selectFirst("[data-rate=in/s]").attr("data-value"));
        assertThat(connectionsPerSecond).as("connection rate after traffic").isPositive();
        assertThat(bytesInPerSecond).as("byte rate after traffic").isPositive();
        assertThat(page.getElementById("sources").text()).contains("junction.yaml");
        Element registry = page.getElementById("registry");
        assertThat(registry.selectFirst(".registry-off")).as("the real /api/registry answers 404").isNotNull();
        assertThat(registry.text()).isEqualTo("registry off");

        // A registry attached to the routes (as the registry source does): its instances and checks appear.
        agent.adminRoutes().registryView(() -> registryView(a.address().getPort()));
        Document withRegistry = render(base);
        Element reg = withRegistry.getElementById("registry");
        assertThat(reg.selectFirst(".registry-off")).isNull();
        assertThat(reg.text()).contains("listening on 127.0.0.1:8500");
        Element one = reg.selectFirst("tr.instance[data-id=web-1]");
        assertThat(one.text()).contains("web").contains("127.0.0.1:" + a.address().getPort()).contains("v2")
                .contains("zone=a");
        assertThat(one.selectFirst(".check[data-check=service:web-1]").hasClass("check-passing")).isTrue();
        Element two = reg.selectFirst("tr.instance[data-id=web-2]");
        Element critical = two.selectFirst(".check[data-check=web-2-tcp]");
        assertThat(critical.hasClass("check-critical")).isTrue();
        assertThat(critical.text()).contains("connection refused");
    }

    @Test
    void aSourceNotSyncedShowsNotReadyWithTheReason() throws Exception {
        int adminPort = AgentFixture.freePort();
        Path kubeconfig = dir.resolve("kubeconfig");
        // Nothing listens on that port: the Kubernetes source never delivers its first state.
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "http://127.0.0.1:%d"}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: x, context: {cluster: c, user: u, namespace: default}}]
                current-context: x
                """.formatted(AgentFixture.freePort()));
        Path config = dir.resolve("junction.yaml");
        Files.writeString(config, """
                admin:
                  listen: 127.0.0.1:%d
                discovery:
                  kubernetes:
                    kubeconfig: %s
                    nodeName: n1
                services:
                  - {name: web, listen: 127.0.0.1:%d}
                """.formatted(adminPort, kubeconfig, AgentFixture.freePort()));
        Agent agent = Agent.start(config, new ConfigLoader().load(config), Duration.ofSeconds(1));
        resources.add(agent);

        Document page = render("http://127.0.0.1:" + adminPort + "/");
        assertThat(page.getElementById("readiness").text()).isEqualTo("not ready");
        assertThat(page.getElementById("readiness").hasClass("out")).isTrue();
        assertThat(page.getElementById("not-ready-reason").text()).contains("waiting for sources").contains("kubernetes");
        Element source = page.select("tr.source").stream().filter(r -> r.text().contains("kubernetes")).findFirst()
                .orElseThrow(() -> new AssertionError("no kubernetes source row in " + page.getElementById("sources")));
        assertThat(source.child(1).text()).isEqualTo("no");
    }

    @Test
    void whenTheAdminApiStopsAnsweringThePageSaysSoAndKeepsTheLastDataGreyedOut() throws Exception {
        int adminPort = AgentFixture.freePort();
        int webPort = AgentFixture.freePort();
        Path config = dir.resolve("junction.yaml");
        Files.writeString(config, """
                admin:
                  listen: 127.0.0.1:%d
                services:
                  - {name: web, listen: 127.0.0.1:%d, endpoints: [127.0.0.1:%d]}
                """.formatted(adminPort, webPort, a.address().getPort()));
        resources.add(AgentFixture.start(config));
        String agentBase = "http://127.0.0.1:" + adminPort;
        // A front for the agent's admin API that answers the page and the first poll, then fails every request.
        AtomicInteger apiCalls = new AtomicInteger();
        HttpServer front = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        front.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            boolean answer = !path.startsWith("/api/") || apiCalls.incrementAndGet() <= 3;
            byte[] body = answer ? getBytes(agentBase + path) : "down\n".getBytes(StandardCharsets.UTF_8);
            int status = !answer ? 503 : path.equals("/api/registry") ? 404 : 200;
            exchange.getResponseHeaders().set("Content-Type", path.equals("/") ? "text/html; charset=utf-8"
                    : "application/json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        front.start();
        resources.add(() -> front.stop(0));

        Document page = render("http://127.0.0.1:" + front.getAddress().getPort() + "/");
        assertThat(apiCalls.get()).as("the page kept polling").isGreaterThan(3);
        Element api = page.getElementById("api-state");
        assertThat(api.hasClass("api-down")).isTrue();
        assertThat(api.text()).contains("admin API not answering").contains("failed polls").contains("last answer")
                .contains("HTTP 503");
        assertThat(page.body().hasClass("stale")).isTrue();
        assertThat(page.selectFirst("section.service[data-service=default/web/tcp]"))
                .as("the last data stays on the page").isNotNull();
    }

    private static Element endpoint(Element service, int port) {
        Element row = service.selectFirst("tr.endpoint[data-address=127.0.0.1:" + port + "]");
        assertThat(row).as("endpoint row for port %d", port).isNotNull();
        return row;
    }

    private static Map<String, Object> registryView(int port) {
        Map<String, Object> passing = new LinkedHashMap<>();
        passing.put("id", "service:web-1");
        passing.put("name", "Service 'web' check");
        passing.put("type", "ttl");
        passing.put("status", "passing");
        passing.put("output", "");
        Map<String, Object> critical = new LinkedHashMap<>();
        critical.put("id", "web-2-tcp");
        critical.put("name", "tcp");
        critical.put("type", "tcp");
        critical.put("status", "critical");
        critical.put("output", "connection refused");
        return Map.of("listen", "127.0.0.1:8500", "instances", List.of(
                Map.of("id", "web-1", "service", "web", "address", "127.0.0.1", "port", port,
                        "tags", List.of("v2"), "meta", Map.of("zone", "a"), "checks", List.of(passing)),
                Map.of("id", "web-2", "service", "web", "address", "127.0.0.1", "port", 1,
                        "tags", List.of(), "meta", Map.of(), "checks", List.of(critical))));
    }

    /** The page after {@link #VIRTUAL_MILLIS} of virtual time in headless Chromium, as a parsed DOM. */
    private Document render(String url) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "dom", ".html");
        Process chromium = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--user-data-dir=" + Files.createTempDirectory(dir, "profile"),
                "--virtual-time-budget=" + VIRTUAL_MILLIS, "--dump-dom", url)
                .redirectOutput(out.toFile()).redirectError(dir.resolve("chromium.err").toFile()).start();
        try {
            assertThat(chromium.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        } finally {
            chromium.destroyForcibly();
        }
        String dom = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(dom).as("chromium's DOM (stderr: %s)", dir.resolve("chromium.err")).contains("id=\"api-state\"");
        return Jsoup.parse(dom, url);
    }

    private static String get(String url) throws IOException {
        return new String(getBytes(url), StandardCharsets.UTF_8);
    }

    private static byte[] getBytes(String url) throws IOException {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Connections through the proxy on a background thread while the page polls; at most 30 s or 20,000 of them. */
    private static final class Traffic implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Traffic(int port) {
            thread = new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                for (int i = 0; i < 20_000 && !stop.get() && System.nanoTime() < deadline; i++) {
                    try {
                        AgentFixture.echoOnce(port, "hello " + i);
                    } catch (IOException e) {
                        // The dead endpoint may be picked before its check fails; the next connection goes on.
                    }
                }
            }, "status-page-traffic");
            thread.start();
        }

        @Override
        public void close() {
            stop.set(true);
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
