package io.junction.core.health;

import io.junction.core.metrics.FailureReason;
import io.junction.core.model.Endpoint;
import io.junction.core.model.HealthSettings;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.OutlierDetection;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServicePolicy;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.junction.core.testing.TcpEchoServer;
import io.junction.core.testing.TcpTestClient;
import io.junction.core.testing.UdpEchoServer;
import io.junction.core.testing.UdpTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dead endpoints do not attract more than their share: a killed or black-holed backend costs at most one failed
 * attempt per connection, at most half of the clients before its breaker opens, and none after.
 */
class HealthyBalancingTest {
    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(300);
    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);

    private final HealthProxy proxy = new HealthProxy();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        proxy.close();
    }

    private static ServicePolicy policy(LbPolicy lb) {
        return ServicePolicy.DEFAULTS.withLb(lb).withTcp(TcpSettings.DEFAULTS.withConnectTimeout(CONNECT_TIMEOUT))
                .withHealth(HealthSettings.DEFAULTS);
    }

    private TcpEchoServer echo() {
        TcpEchoServer s = new TcpEchoServer();
        closing.add(s);
        return s;
    }

    /** A backend that accepts nothing and answers nothing: a listener whose backlog is full. */
    private InetSocketAddress blackHole() throws IOException {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        closing.add(server);
        InetSocketAddress address = (InetSocketAddress) server.getLocalSocketAddress();
        for (int i = 0; i < 8; i++) {
            Socket filler = new Socket();
            closing.add(filler);
            try {
                filler.connect(address, 200);
            } catch (SocketTimeoutException full) {
                return address; // this SYN was dropped: so will the proxy's be
            }
        }
        throw new IllegalStateException("the backlog of " + address + " never filled");
    }

    /** Connects through the proxy, echoes one message and returns how long it took; the echo must arrive. */
    private static long echoMillis(InetSocketAddress proxyAddress) throws IOException {
        long t0 = System.nanoTime();
        try (Socket s = TcpTestClient.connect(proxyAddress)) {
            TcpTestClient.assertEcho(s, PING);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    @Test
    void aKilledBackendCostsEachConnectionAtMostOneFailedAttemptAndNoneOnceEjected() throws Exception {
        TcpEchoServer alive = echo();
        TcpEchoServer killed = echo();
        ServiceKey key = HealthProxy.tcp("web");
        ServiceHandle handle = proxy.serve(key, policy(LbPolicy.ROUND_ROBIN),
                List.of(Endpoint.of(alive.address()), Endpoint.of(killed.address())));
        killed.close();

        for (int i = 0; i < 20; i++) {
            echoMillis(proxy.address(key));
        }

        // Each failure was followed by a retry that succeeded: no connection failed twice.
        long failures = handle.metrics().connectFailures();
        assertThat(handle.metrics().connectRetries()).isEqualTo(failures);
        assertThat(failures).as("failed attempts before the breaker opened").isEqualTo(5);
        await().atMost(Duration.ofSeconds(2)).until(() -> !HealthProxy.eligible(handle, killed.address()));
        assertThat(HealthProxy.why(handle, killed.address())).startsWith("ejected by outlier detection");
        for (int i = 0; i < 10; i++) {
            echoMillis(proxy.address(key));
        }
        assertThat(handle.metrics().connectFailures()).as("no attempt reaches an ejected endpoint").isEqualTo(5);
    }

    @Test
    void aFullEndpointPassesNewConnectionsOnAndWhenAllAreFullTheyAreRefusedAsBusy() throws Exception {
        TcpEchoServer a = echo();
        TcpEchoServer b = echo();
        ServiceKey key = HealthProxy.tcp("capped");
        ServiceHandle handle = proxy.serve(key, policy(LbPolicy.ROUND_ROBIN)
                        .withHealth(HealthSettings.DEFAULTS.withMaxConnectionsPerEndpoint(1)),
                List.of(Endpoint.of(a.address()), Endpoint.of(b.address())));
        try (Socket first = TcpTestClient.connect(proxy.address(key));
             Socket second = TcpTestClient.connect(proxy.address(key))) {
            TcpTestClient.assertEcho(first, PING);
            TcpTestClient.assertEcho(second, PING);
            assertThat(List.of(a.active(), b.active())).as("one connection on each endpoint")
                    .containsExactlyInAnyOrder(1, 1);
            try (Socket third = TcpTestClient.connect(proxy.address(key))) {
                assertThat(TcpTestClient.awaitEnd(third, Duration.ofSeconds(5)))
                        .isNotEqualTo(TcpTestClient.Ending.TIMEOUT);
            }
            await().atMost(Duration.ofSeconds(2))
                    .until(() -> handle.metrics().failures(FailureReason.ENDPOINTS_BUSY) == 1);
            assertThat(handle.metrics().failures(FailureReason.NO_HEALTHY_ENDPOINT)).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(value = LbPolicy.class, names = {"ROUND_ROBIN", "WEIGHTED", "LEAST_CONNECTIONS", "PEAK_EWMA"})
    void atMostHalfOfTheClientsPayABlackHoledBackendsTimeoutAndNoneOnceItIsEjected(LbPolicy lb) throws Exception {
        TcpEchoServer alive = echo();
        InetSocketAddress hole = blackHole();
        ServiceKey key = HealthProxy.tcp("web");
        ServiceHandle handle = proxy.serve(key, policy(lb), List.of(Endpoint.of(alive.address()), Endpoint.of(hole)));

        int slow = 0;
        for (int i = 0; i < 10; i++) {
            if (echoMillis(proxy.address(key)) >= CONNECT_TIMEOUT.toMillis()) {
                slow++;
            }
        }
        assertThat(slow).as("sequential clients that waited the connect timeout, of 10").isLessThanOrEqualTo(5);

        int waves = concurrentSlowClients(key, 20);
        assertThat(waves).as("concurrent clients that waited the connect timeout, of 20").isLessThanOrEqualTo(10);

        if (handle.metrics().connectFailures() >= 5) {
            await().atMost(Duration.ofSeconds(3)).until(() -> !HealthProxy.eligible(handle, hole));
            assertThat(concurrentSlowClients(key, 20)).as("clients that waited once the endpoint is ejected").isZero();
        } else {
            // The policy kept away from it by itself, and the breaker had no reason to open: peak-ewma prices an
            // endpoint it never connected to like a LAN one, and then sends it one probing connection at a time.
            assertThat(lb).isEqualTo(LbPolicy.PEAK_EWMA);
            assertThat(concurrentSlowClients(key, 20)).as("clients probing an endpoint not yet known")
                    .isLessThanOrEqualTo(1);
        }
    }

    private int concurrentSlowClients(ServiceKey key, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Long>> took = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                took.add(pool.submit((Callable<Long>) () -> echoMillis(proxy.address(key))));
            }
            int slow = 0;
            for (Future<Long> f : took) {
                if (f.get(10, TimeUnit.SECONDS) >= CONNECT_TIMEOUT.toMillis()) {
                    slow++;
                }
            }
            return slow;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aUdpEndpointThatListensAgainIsBackAfterItsEjectionTimeEvenIfItNeverAnswers() throws Exception {
        UdpEchoServer alive = UdpEchoServer.tagged(1);
        UdpEchoServer killed = UdpEchoServer.tagged(2);
        closing.add(alive);
        closing.add(killed);
        ServiceKey key = HealthProxy.udp("syslog");
        HealthSettings quickEjection = HealthSettings.DEFAULTS.withOutlier(
                OutlierDetection.DEFAULTS.withEjectionTime(Duration.ofSeconds(1)));
        ServiceHandle handle = proxy.serve(key, ServicePolicy.DEFAULTS.withHealth(quickEjection),
                List.of(Endpoint.of(alive.address()), Endpoint.of(killed.address())));
        killed.stop();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            try (UdpTestClient client = new UdpTestClient(proxy.address(key))) {
                client.send(PING);
            }
            return proxy.board.describe(key, killed.address()).toString().contains("lastOpenedAt");
        });

        // Something listens on the port again but never answers (a log sink): no ICMP, so the test passes.
        try (DatagramSocket quiet = new DatagramSocket(killed.address())) {
            assertThat(quiet.getLocalPort()).isEqualTo(killed.address().getPort());
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                try (UdpTestClient client = new UdpTestClient(proxy.address(key))) {
                    client.send(PING); // a test session, if the breaker admits one now
                }
                return HealthProxy.why(handle, killed.address()).equals("eligible")
                        && proxy.board.describe(key, killed.address()).toString().contains("state=closed");
            });
        }
    }

    @Test
    void noDatagramGoesToAKilledUdpBackendAfterTheFirstIcmp() throws Exception {
        UdpEchoServer alive = UdpEchoServer.tagged(1);
        UdpEchoServer killed = UdpEchoServer.tagged(2);
        closing.add(alive);
        closing.add(killed);
        ServiceKey key = HealthProxy.udp("dns");
        ServiceHandle handle = proxy.serve(key, ServicePolicy.DEFAULTS.withHealth(HealthSettings.DEFAULTS),
                List.of(Endpoint.of(alive.address()), Endpoint.of(killed.address())));
        killed.stop();

        int lostFirst = 0;
        for (int i = 0; i < 12; i++) {
            try (UdpTestClient client = new UdpTestClient(proxy.address(key))) {
                client.send(PING);
                byte[] reply = client.receive(Duration.ofMillis(500));
                if (reply == null) {
                    lostFirst++;
                    reply = client.request(PING, Duration.ofMillis(500), 4);
                }
                assertThat(reply).as("session %d is answered", i).isNotNull();
                assertThat(UdpEchoServer.tagOf(reply)).isEqualTo(1);
            }
        }
        assertThat(lostFirst).as("fresh sessions whose first datagram was lost, of 12").isLessThanOrEqualTo(1);
        assertThat(HealthProxy.eligible(handle, killed.address())).isFalse();
    }
}
