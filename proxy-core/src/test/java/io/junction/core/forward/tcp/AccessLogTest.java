package io.junction.core.forward.tcp;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.junction.core.state.ServiceHandle;
import io.junction.core.state.ServiceListener;
import io.junction.core.testing.TcpEchoServer;
import io.junction.core.testing.TcpTestClient;
import io.junction.core.testing.TestHandles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The access log: a line per connection, written by the writer thread in batches, not a write per connection; as
 * text or as JSON lines.
 */
class AccessLogTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Logger ACCESS = (Logger) LoggerFactory.getLogger("junction.access");
    private static Level before;

    /** Captures what the writer writes, and how many writes it took. */
    private static final class Capture extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final AtomicInteger writes = new AtomicInteger();

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            writes.incrementAndGet();
            bytes.write(b, off, len);
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    @BeforeAll
    static void turnOn() {
        before = ACCESS.getLevel();
        ACCESS.setLevel(Level.INFO);
    }

    @AfterAll
    static void restore() {
        ACCESS.setLevel(before);
        AccessLog.format(AccessLogFormat.TEXT);
        AccessLogWriter.INSTANCE.output(new FileOutputStream(FileDescriptor.out));
    }

    @Test
    void everyConnectionGetsOneLineAndTheLinesAreWrittenInBatches() throws Exception {
        Capture capture = new Capture();
        AccessLogWriter.INSTANCE.output(capture);
        int connections = 40;
        try (TcpProxyFixture proxy = new TcpProxyFixture(); TcpEchoServer echo = new TcpEchoServer()) {
            ServiceHandle handle = TestHandles.tcp(List.of(echo.address()));
            ServiceListener listener = proxy.bind(handle);
            for (int i = 0; i < connections; i++) {
                try (Socket s = TcpTestClient.connect(listener.localAddress())) {
                    TcpTestClient.assertEcho(s, new byte[] {(byte) i, 2, 3});
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> capture.text().lines().count() == connections);
        }
        List<String> lines = capture.text().lines().toList();
        Pattern line = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z access "
                + "service=default/svc/tcp client=127\\.0\\.0\\.1:\\d+ backend=127\\.0\\.0\\.1:" + "\\d+"
                + " bytes_in=3 bytes_out=3 duration_ms=\\d+ result=ok reason=-");
        assertThat(lines).allMatch(l -> line.matcher(l).matches(), "lines like " + line);
        assertThat(capture.writes.get()).as("writes for %d lines", connections).isLessThan(connections / 2);
    }

    @Test
    void jsonLinesCarryTheTextFieldsAndTheBytesEachWay() throws Exception {
        Capture capture = new Capture();
        AccessLogWriter.INSTANCE.output(capture);
        AccessLog.format(AccessLogFormat.JSON);
        int connections = 5;
        List<InetSocketAddress> clients = new ArrayList<>();
        InetSocketAddress backend;
        try (TcpProxyFixture proxy = new TcpProxyFixture(); TcpEchoServer echo = new TcpEchoServer()) {
            backend = echo.address();
            ServiceListener listener = proxy.bind(TestHandles.tcp(List.of(echo.address())));
            for (int i = 0; i < connections; i++) {
                try (Socket s = TcpTestClient.connect(listener.localAddress())) {
                    clients.add((InetSocketAddress) s.getLocalSocketAddress());
                    // Sizes 1000, 2000, ...: each line's byte counts say which connection it is.
                    TcpTestClient.assertEcho(s, new byte[1000 * (i + 1)]);
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> capture.text().lines().count() == connections);
        } finally {
            AccessLog.format(AccessLogFormat.TEXT);
        }
        List<JsonNode> lines = new ArrayList<>();
        for (String line : capture.text().lines().toList()) {
            lines.add(JSON.readTree(line));
        }
        lines.sort((a, b) -> Long.compare(a.get("bytes_in").asLong(), b.get("bytes_in").asLong()));
        for (int i = 0; i < connections; i++) {
            JsonNode l = lines.get(i);
            assertThat(l.propertyNames()).containsExactly("time", "service", "protocol", "client", "backend",
                    "bytes_in", "bytes_out", "duration_ms", "result", "reason");
            assertThat(l.get("time").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(l.get("service").asString()).isEqualTo("default/svc/tcp");
            assertThat(l.get("protocol").asString()).isEqualTo("tcp");
            assertThat(l.get("client").asString()).isEqualTo("127.0.0.1:" + clients.get(i).getPort());
            assertThat(l.get("backend").asString()).isEqualTo("127.0.0.1:" + backend.getPort());
            assertThat(l.get("bytes_in").isIntegralNumber()).isTrue();
            assertThat(l.get("bytes_in").asLong()).isEqualTo(1000L * (i + 1));
            assertThat(l.get("bytes_out").asLong()).isEqualTo(1000L * (i + 1));
            assertThat(l.get("duration_ms").isIntegralNumber()).isTrue();
            assertThat(l.get("result").asString()).isEqualTo("ok");
            assertThat(l.get("reason").isNull()).isTrue();
        }
    }

    @Test
    void jsonRenderingTurnsDashesIntoNullsAndKeepsUnknownKeysAsStrings() throws Exception {
        String batch = "2025-12-05T00:10:57.007Z access service=dns/resolver:dns/udp client=[::1]:5353 backend=- "
                + "bytes_in=0 bytes_out=12 duration_ms=30001 result=expired reason=-\n"
                + "2025-12-05T00:10:57.120Z access service=default/web/tcp client=127.0.0.1:4000 backend=- "
                + "bytes_in=0 bytes_out=0 duration_ms=0 result=rejected reason=connection_limit\n";
        List<String> lines = new String(AccessLogJson.render(batch), StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(2);
        JsonNode udp = JSON.readTree(lines.get(0));
        assertThat(udp.get("protocol").asString()).isEqualTo("udp");
        assertThat(udp.get("service").asString()).isEqualTo("dns/resolver:dns/udp");
        assertThat(udp.get("client").asString()).isEqualTo("[::1]:5353");
        assertThat(udp.get("backend").isNull()).isTrue();
        assertThat(udp.get("duration_ms").asLong()).isEqualTo(30001);
        assertThat(udp.get("result").asString()).isEqualTo("expired");
        JsonNode rejected = JSON.readTree(lines.get(1));
        assertThat(rejected.get("reason").asString()).isEqualTo("connection_limit");
        assertThat(new String(AccessLogJson.render(""), StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void timesAreUtcWithMilliseconds() {
        AccessLogTime time = new AccessLogTime();
        StringBuilder b = new StringBuilder();
        time.append(b, 1_764_893_457_007L);
        b.append(' ');
        time.append(b, 1_764_893_457_120L);
        assertThat(b).hasToString("2025-12-05T00:10:57.007Z 2025-12-05T00:10:57.120Z");
    }
}
