package io.junction.agent;

import io.junction.core.testing.ProxyHeaderBackend;
import io.junction.core.testing.ProxyHeaderBackend.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static io.junction.agent.AgentFixture.roundTrip;
import static io.junction.agent.AgentFixture.writeAtomically;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PROXY protocol through a running agent configured from YAML: a trusted peer (127.0.0.2) names the client, which
 * the backend reads in a send-v2 header; an untrusted one (127.0.0.3) and a malformed header are refused and show in
 * {@code /metrics} as {@code junction_proxy_protocol_rejected_total}; a reload that turns acceptance off lets the
 * next connection through without a header.
 */
class ProxyProtocolAgentTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private final ProxyHeaderBackend backend = new ProxyHeaderBackend("127.0.0.1");
    private final HttpClient http = HttpClient.newHttpClient();
    private Agent agent;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.shutdown();
        }
        backend.close();
    }

    @Test
    void trustedPeersNameTheClientOthersAreRefusedAndCountedAndAReloadTurnsItOff() throws Exception {
        int port = AgentFixture.freePort();
        int admin = AgentFixture.freePort();
        Path file = dir.resolve("junction.yaml");
        writeAtomically(file, config(admin, port, """
                    acceptProxyProtocol:
                      trustedCidrs: [127.0.0.2/32]
                      timeout: 2s
                """));
        agent = AgentFixture.start(file);

        try (Socket lb = connectFrom("127.0.0.2", port)) {
            lb.getOutputStream().write(ascii("PROXY TCP4 203.0.113.9 192.0.2.80 41000 80\r\n"));
            assertThat(roundTrip(lb, "hello")).isEqualTo("hello");
        }
        Header h = backend.next(WAIT);
        assertThat(h.sourceAddress()).isEqualTo("203.0.113.9");
        assertThat(h.sourcePort()).isEqualTo(41000);

        try (Socket untrusted = connectFrom("127.0.0.3", port)) {
            assertThat(untrusted.getInputStream().read()).isEqualTo(-1);
        }
        try (Socket garbled = connectFrom("127.0.0.2", port)) {
            garbled.getOutputStream().write(ascii("HELLO THERE\r\n"));
            assertThat(garbled.getInputStream().read()).isEqualTo(-1);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(metrics())
                .contains("junction_proxy_protocol_rejected_total{reason=\"untrusted\",service=\"default/edge/tcp\"} 1.0")
                .contains("junction_proxy_protocol_rejected_total{reason=\"malformed\",service=\"default/edge/tcp\"} 1.0")
                .contains("junction_proxy_protocol_rejected_total{reason=\"timeout\",service=\"default/edge/tcp\"} 0.0"));
        assertThat(backend.accepted()).isEqualTo(1);

        writeAtomically(file, config(admin, port, ""));
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            try (Socket direct = connectFrom("127.0.0.3", port)) {
                assertThat(roundTrip(direct, "plain")).isEqualTo("plain");
            }
        });
        Header after = backend.next(WAIT);
        while (backend.pending() > 0) {
            after = backend.next(WAIT);
        }
        assertThat(after.sourceAddress()).isEqualTo("127.0.0.3");
    }

    private String config(int admin, int port, String accept) {
        return """
                admin:
                  listen: 127.0.0.1:%d
                services:
                  - name: edge
                    listen: 127.0.0.1:%d
                    proxyProtocol: send-v2
                %s    endpoints:
                      - 127.0.0.1:%d
                """.formatted(admin, port, accept, backend.address().getPort());
    }

    private String metrics() throws IOException, InterruptedException {
        int admin = agent.adminAddress().getPort();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    private static Socket connectFrom(String ip, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(ip), 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(5000);
        return s;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
