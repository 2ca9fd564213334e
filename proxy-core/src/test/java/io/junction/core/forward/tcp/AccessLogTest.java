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

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The access log: a line per connection, written by the writer thread in batches, not a write per connection. */
class AccessLogTest {
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
    void timesAreUtcWithMilliseconds() {
        AccessLogTime time = new AccessLogTime();
        StringBuilder b = new StringBuilder();
        time.append(b, 1_764_893_457_007L);
        b.append(' ');
        time.append(b, 1_764_893_457_120L);
        assertThat(b).hasToString("2025-12-05T00:10:57.007Z 2025-12-05T00:10:57.120Z");
    }
}
