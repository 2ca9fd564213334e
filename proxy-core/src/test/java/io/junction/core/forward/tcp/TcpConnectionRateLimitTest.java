package io.junction.core.forward.tcp;

import io.junction.core.metrics.FailureReason;
import io.junction.core.model.ConnectionRateLimit;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.junction.core.state.ServiceListener;
import io.junction.core.testing.TcpEchoServer;
import io.junction.core.testing.TcpTestClient;
import io.junction.core.testing.TcpTestClient.Ending;
import io.junction.core.testing.TestHandles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code connectionRateLimit} with real sockets from two loopback source addresses. */
class TcpConnectionRateLimitTest {
    private static TcpProxyFixture proxy;

    @BeforeAll
    static void start() {
        proxy = new TcpProxyFixture();
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void anAbusiveSourceIsCappedAtItsBurstWhileAnotherSourceIsUnaffected() throws Exception {
        try (TcpEchoServer echo = new TcpEchoServer()) {
            // 1/m: no token comes back during the test, so exactly the burst gets through.
            TcpSettings tcp = TcpSettings.DEFAULTS.withConnectionRateLimit(new ConnectionRateLimit(1.0 / 60, 3));
            ServiceHandle handle = TestHandles.tcp(tcp, List.of(echo.address()));
            ServiceListener listener = proxy.bind(handle);
            List<Socket> admitted = new ArrayList<>();
            int refused = 0;
            try {
                for (int i = 0; i < 10; i++) {
                    Socket s = from("127.0.0.3", listener.localAddress());
                    if (echoes(s)) {
                        admitted.add(s);
                    } else {
                        refused++;
                        s.close();
                    }
                }
                assertThat(admitted).hasSize(3);
                assertThat(refused).isEqualTo(7);
                assertThat(handle.metrics().failures(FailureReason.RATE_LIMITED)).isEqualTo(7);
                for (int i = 0; i < 3; i++) {
                    Socket s = from("127.0.0.2", listener.localAddress());
                    admitted.add(s);
                    TcpTestClient.assertEcho(s, new byte[] {(byte) i});
                }
                assertThat(handle.metrics().failures(FailureReason.RATE_LIMITED)).isEqualTo(7);
                assertThat(echo.accepted()).isEqualTo(6);
            } finally {
                for (Socket s : admitted) {
                    s.close();
                }
            }
        }
    }

    /** A refused connection is closed at once: the client sees its end within a second, with no byte back. */
    private static boolean echoes(Socket s) throws IOException {
        s.getOutputStream().write(7);
        s.setSoTimeout(2000);
        int b;
        try {
            b = s.getInputStream().read();
        } catch (IOException reset) {
            return false;
        }
        if (b == 7) {
            return true;
        }
        assertThat(b).isEqualTo(-1);
        return false;
    }

    private static Socket from(String source, InetSocketAddress target) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(source, 0));
        s.connect(target, 2000);
        return s;
    }

    @Test
    void refusedConnectionEndsAtOnce() throws Exception {
        try (TcpEchoServer echo = new TcpEchoServer()) {
            TcpSettings tcp = TcpSettings.DEFAULTS.withConnectionRateLimit(new ConnectionRateLimit(1.0 / 60, 1));
            ServiceListener listener = proxy.bind(TestHandles.tcp(tcp, List.of(echo.address())));
            try (Socket first = from("127.0.0.4", listener.localAddress())) {
                // Admitted before the second connects: with SO_REUSEPORT the two could be accepted in either order.
                TcpTestClient.assertEcho(first, new byte[] {1});
                try (Socket second = from("127.0.0.4", listener.localAddress())) {
                    long t0 = System.nanoTime();
                    assertThat(TcpTestClient.awaitEnd(second, Duration.ofSeconds(2))).isNotEqualTo(Ending.TIMEOUT);
                    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
                }
            }
        }
    }
}
