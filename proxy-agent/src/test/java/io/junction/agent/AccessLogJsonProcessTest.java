package io.junction.agent;

import io.junction.core.testing.TcpEchoServer;
import io.junction.core.testing.UdpEchoServer;
import io.junction.core.testing.UdpTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code proxy.accessLogFormat: json} end to end: an agent in its own JVM (its standard output is where the access log
 * goes), real TCP connections and a UDP session that expires; every line is parsed with Jackson and its byte counts
 * must equal the bytes the test sent and received.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AccessLogJsonProcessTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final TcpEchoServer tcpBackend = new TcpEchoServer();
    private final UdpEchoServer udpBackend = UdpEchoServer.plain();
    private Process agent;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.destroyForcibly();
        }
        tcpBackend.close();
        udpBackend.close();
    }

    @Test
    void tcpConnectionsAndAnExpiredUdpSessionEachGetOneJsonLineWithTheirBytes() throws Exception {
        int tcpPort = AgentFixture.freePort();
        int udpPort = AgentFixture.freePort();
        Path config = dir.resolve("junction.yaml");
        Files.writeString(config, """
                admin:
                  listen: off
                proxy:
                  accessLogFormat: json
                services:
                  - name: web
                    listen: 127.0.0.1:%d
                    endpoints: [127.0.0.1:%d]
                  - name: dns
                    protocol: udp
                    listen: 127.0.0.1:%d
                    sessionIdleTimeout: 300ms
                    endpoints: [127.0.0.1:%d]
                """.formatted(tcpPort, tcpBackend.address().getPort(), udpPort, udpBackend.port()));
        // The test classpath's logback.xml silences the access logger; this one turns it on, as the shipped one does.
        Path logback = dir.resolve("logback.xml");
        Files.writeString(logback, """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%msg%n</pattern></encoder>
                  </appender>
                  <logger name="junction.access" level="INFO"/>
                  <root level="WARN"><appender-ref ref="OUT"/></root>
                </configuration>
                """);
        Path out = dir.resolve("out.log");
        agent = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-Dlogback.configurationFile=" + logback, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> AgentFixture.echoOnce(tcpPort, "up").equals("up"));

        int[] sizes = {1000, 70_000, 5};
        List<Integer> clientPorts = new ArrayList<>();
        for (int size : sizes) {
            try (Socket s = new Socket("127.0.0.1", tcpPort)) {
                s.setSoTimeout(5000);
                clientPorts.add(s.getLocalPort());
                echo(s, size);
            }
        }
        int udpClientPort;
        try (UdpTestClient client = new UdpTestClient(new InetSocketAddress("127.0.0.1", udpPort))) {
            udpClientPort = client.localAddress().getPort();
            for (int i = 0; i < 3; i++) {
                assertThat(client.request(new byte[100 + i], Duration.ofSeconds(1), 3)).hasSize(100 + i);
            }
        }

        // Four TCP lines (the readiness probe's connection too) and the UDP session's line once it expired.
        await().atMost(Duration.ofSeconds(10)).until(() -> jsonLines(out).size() == 5);
        List<JsonNode> lines = jsonLines(out);
        for (int i = 0; i < sizes.length; i++) {
            int port = clientPorts.get(i);
            JsonNode line = lines.stream().filter(l -> l.get("client").asString().equals("127.0.0.1:" + port))
                    .findFirst().orElseThrow(() -> new AssertionError("no line for client port " + port));
            assertThat(line.propertyNames()).containsExactly("time", "service", "protocol", "client", "backend",
                    "bytes_in", "bytes_out", "duration_ms", "result", "reason");
            assertThat(line.get("service").asString()).isEqualTo("default/web/tcp");
            assertThat(line.get("protocol").asString()).isEqualTo("tcp");
            assertThat(line.get("backend").asString()).isEqualTo("127.0.0.1:" + tcpBackend.address().getPort());
            assertThat(line.get("bytes_in").asLong()).isEqualTo(sizes[i]);
            assertThat(line.get("bytes_out").asLong()).isEqualTo(sizes[i]);
            assertThat(line.get("result").asString()).isEqualTo("ok");
            assertThat(line.get("reason").isNull()).isTrue();
        }
        JsonNode udp = lines.stream().filter(l -> l.get("protocol").asString().equals("udp")).findFirst()
                .orElseThrow();
        assertThat(udp.get("service").asString()).isEqualTo("default/dns/udp");
        assertThat(udp.get("client").asString()).isEqualTo("127.0.0.1:" + udpClientPort);
        assertThat(udp.get("backend").asString()).isEqualTo("127.0.0.1:" + udpBackend.port());
        assertThat(udp.get("bytes_in").asLong()).isEqualTo(100 + 101 + 102);
        assertThat(udp.get("bytes_out").asLong()).isEqualTo(100 + 101 + 102);
        assertThat(udp.get("duration_ms").asLong()).isGreaterThanOrEqualTo(300);
        assertThat(udp.get("result").asString()).isEqualTo("expired");
    }

    private static void echo(Socket s, int size) throws IOException {
        byte[] payload = new byte[size];
        for (int i = 0; i < size; i++) {
            payload[i] = (byte) i;
        }
        OutputStream os = s.getOutputStream();
        os.write(payload);
        os.flush();
        InputStream in = s.getInputStream();
        assertThat(in.readNBytes(size)).isEqualTo(payload);
    }

    /** The output's JSON lines (the access log); other lines are the agent's own log. */
    private static List<JsonNode> jsonLines(Path out) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            if (line.startsWith("{")) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }
}
