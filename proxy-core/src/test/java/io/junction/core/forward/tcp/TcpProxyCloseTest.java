package io.junction.core.forward.tcp;

import io.junction.core.testing.TcpBlockingServer;
import io.netty.channel.ChannelOption;
import io.junction.core.forward.LiveConnection;
import io.junction.core.state.ServiceListener;
import io.junction.core.lb.Backend;
import io.junction.core.metrics.FailureReason;
import io.junction.core.metrics.ServiceMetrics;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.junction.core.testing.ManualClock;
import io.junction.core.testing.TcpEchoServer;
import io.junction.core.testing.TcpStreams;
import io.junction.core.testing.TcpTestClient;
import io.junction.core.testing.TcpTestClient.Ending;
import io.junction.core.testing.TestHandles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** How connections end: resets, the connection limit, the idle timeout and draining. */
class TcpProxyCloseTest {
    private static TcpProxyFixture proxy;

    @BeforeAll
    static void start() {
        proxy = new TcpProxyFixture();
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @AfterEach
    void closeListeners() {
        proxy.closeListeners();
    }

    @Test
    void backendResetReachesTheClientAsReset() throws Exception {
        TcpScenarios.Outcome o = TcpScenarios.backendResetReachesTheClient(proxy, TcpSettings.DEFAULTS);
        System.out.printf("backend reset: client saw reset after %d ms%n", o.millis());
    }

    @Test
    void backendResetAfterTheClientsFinReachesTheClientAsReset() throws Exception {
        TcpScenarios.backendResetAfterClientHalfClose(proxy, TcpSettings.DEFAULTS);
    }

    @Test
    void clientResetReachesTheBackendAsReset() throws Exception {
        TcpScenarios.clientResetReachesTheBackend(proxy, TcpSettings.DEFAULTS);
    }

    /**
     * The backend answers and closes first (HTTP with {@code Connection: close}): the proxy passes the FIN on, and the
     * client's FIN that follows ends the connection. The client leg stops allowing half-closure once the proxy's FIN
     * is out, so that FIN closes it rather than a {@code shutdown(SHUT_RD)} that fails with ENOTCONN on a socket
     * finished both ways (a stack-traced exception per connection).
     */
    @Test
    void whenTheBackendClosesFirstTheClientsFinEndsTheConnection() throws Exception {
        byte[] reply = TcpStreams.randomBytes(187, 5);
        try (TcpBlockingServer backend = new TcpBlockingServer(s -> {
            s.getInputStream().readNBytes(46);
            s.getOutputStream().write(reply);
            s.close();
        })) {
            ServiceHandle handle = TestHandles.tcp(List.of(backend.address()));
            ServiceListener listener = proxy.bind(handle);
            Backend b = TestHandles.backend(handle, backend.address());
            try (Socket client = TcpTestClient.connect(listener.localAddress())) {
                client.getOutputStream().write(new byte[46]);
                assertThat(client.getInputStream().readAllBytes()).isEqualTo(reply);
                LiveConnection connection = proxy.awaitOnlyConnectionTo(b);
                assertThat(connection.clientChannel().config().getOption(ChannelOption.ALLOW_HALF_CLOSURE))
                        .as("half-closure of the client leg after the proxy's FIN").isFalse();
            }
            await().atMost(Duration.ofSeconds(3)).until(() -> handle.metrics().connectionsActive() == 0);
            assertThat(b.activeConnections()).isZero();
            assertThat(backend.errors()).isEmpty();
        }
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAtOnce() throws Exception {
        try (TcpEchoServer echo = new TcpEchoServer()) {
            ServiceHandle handle = TestHandles.tcp(TcpSettings.DEFAULTS.withMaxConnections(5), List.of(echo.address()));
            ServiceListener listener = proxy.bind(handle);
            ServiceMetrics m = handle.metrics();
            List<Socket> kept = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    Socket s = TcpTestClient.connect(listener.localAddress());
                    kept.add(s);
                    TcpTestClient.assertEcho(s, new byte[] {(byte) i});
                }
                for (int i = 0; i < 3; i++) {
                    try (Socket excess = TcpTestClient.connect(listener.localAddress())) {
                        assertThat(TcpTestClient.awaitEnd(excess, Duration.ofSeconds(1))).isNotEqualTo(Ending.TIMEOUT);
                    }
                }
                assertThat(m.failures(FailureReason.CONNECTION_LIMIT)).isEqualTo(3);
                assertThat(m.connectionsActive()).isEqualTo(5);
                assertThat(echo.accepted()).isEqualTo(5);
                for (Socket s : kept) {
                    TcpTestClient.assertEcho(s, TcpStreams.randomBytes(4096, 31));
                }
                kept.remove(0).close();
                await().atMost(Duration.ofSeconds(3)).until(() -> m.connectionsActive() == 4);
                try (Socket again = TcpTestClient.connect(listener.localAddress())) {
                    TcpTestClient.assertEcho(again, new byte[] {9});
                }
            } finally {
                for (Socket s : kept) {
                    s.close();
                }
            }
        }
    }

    /** Time is a {@link ManualClock}: the connection lives until the test lets a whole idle timeout pass. */
    @Test
    void idleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        Duration idle = Duration.ofMillis(100);
        ManualClock clock = new ManualClock();
        try (TcpEchoServer echo = new TcpEchoServer();
             TcpProxyFixture timed = new TcpProxyFixture(clock)) {
            ServiceHandle handle = TestHandles.tcp(TcpSettings.DEFAULTS.withIdleTimeout(idle), List.of(echo.address()));
            ServiceListener listener = timed.bind(handle);
            try (Socket s = TcpTestClient.connect(listener.localAddress())) {
                TcpTestClient.assertEcho(s, new byte[] {1});
                clock.advance(idle.multipliedBy(9).dividedBy(10));
                // Several real wake-ups of the idle check: 90% of the timeout is not idle enough.
                Thread.sleep(3 * idle.toMillis());
                TcpTestClient.assertEcho(s, new byte[] {2});

                clock.advance(idle);
                assertThat(TcpTestClient.awaitEnd(s, Duration.ofSeconds(3))).isEqualTo(Ending.EOF);
            }
            assertThat(handle.metrics().failures(FailureReason.IDLE_TIMEOUT)).isEqualTo(1);
            await().atMost(Duration.ofSeconds(3)).until(() -> echo.active() == 0);
            assertThat(handle.metrics().connectionsActive()).isZero();
        }
    }

    @Test
    void closeGracefullyDeliversQueuedBytesThenClosesBothLegs() throws Exception {
        try (TcpEchoServer echo = new TcpEchoServer()) {
            ServiceHandle handle = TestHandles.tcp(List.of(echo.address()));
            ServiceListener listener = proxy.bind(handle);
            Backend backend = TestHandles.backend(handle, echo.address());
            try (Socket s = TcpTestClient.connect(listener.localAddress())) {
                TcpTestClient.assertEcho(s, new byte[] {7});
                proxy.awaitOnlyConnectionTo(backend);
                proxy.drain(backend, FailureReason.DRAIN_TIMEOUT);
                assertThat(TcpTestClient.awaitEnd(s, Duration.ofSeconds(3))).isEqualTo(Ending.EOF);
            }
            await().atMost(Duration.ofSeconds(3)).until(() -> echo.active() == 0);
            assertThat(handle.metrics().failures(FailureReason.DRAIN_TIMEOUT)).isEqualTo(1);
            await().atMost(Duration.ofSeconds(3)).until(() -> backend.activeConnections() == 0);
        }
    }

    /** No proxy (or test) socket on these ports is left in CLOSE_WAIT or FIN_WAIT2. */
}
