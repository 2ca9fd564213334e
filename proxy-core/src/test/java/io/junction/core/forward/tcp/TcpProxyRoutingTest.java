package io.junction.core.forward.tcp;

import io.junction.core.forward.LiveConnection;
import io.junction.core.state.ServiceListener;
import io.junction.core.forward.Transports;
import io.junction.core.lb.Backend;
import io.junction.core.metrics.FailureReason;
import io.junction.core.metrics.ServiceMetrics;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.junction.core.testing.TcpEchoServer;
import io.junction.core.testing.TcpStreams;
import io.junction.core.testing.TcpTestClient;
import io.junction.core.testing.TestHandles;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Which backend a connection reaches: retries past dead endpoints, round robin, endpoint removal, transport. */
class TcpProxyRoutingTest {
    private static TcpProxyFixture proxy;
    private final List<TcpEchoServer> echoes = new ArrayList<>();

    @BeforeAll
    static void start() {
        proxy = new TcpProxyFixture();
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @AfterEach
    void cleanUp() {
        proxy.closeListeners();
        echoes.forEach(TcpEchoServer::close);
        echoes.clear();
    }

    private TcpEchoServer echo() {
        TcpEchoServer e = new TcpEchoServer();
        echoes.add(e);
        return e;
    }

    /** A loopback port nothing listens on: bound, then closed. */
    private static InetSocketAddress deadAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return new InetSocketAddress("127.0.0.1", s.getLocalPort());
        }
    }

    @Test
    void deadEndpointAmongLiveOnesIsRetriedForEveryConnection() throws Exception {
        TcpEchoServer a = echo();
        TcpEchoServer b = echo();
        ServiceHandle handle = TestHandles.tcp(List.of(a.address(), deadAddress(), b.address()));
        ServiceListener listener = proxy.bind(handle);
        byte[] payload = TcpStreams.randomBytes(64, 11);
        for (int i = 0; i < 200; i++) {
            try (Socket s = TcpTestClient.connect(listener.localAddress())) {
                TcpTestClient.assertEcho(s, payload);
            }
        }
        ServiceMetrics m = handle.metrics();
        assertThat(a.accepted() + b.accepted()).isEqualTo(200);
        assertThat(m.connectFailures()).isPositive();
        assertThat(m.connectRetries()).isEqualTo(m.connectFailures());
        assertThat(m.failures(FailureReason.CONNECT_FAILED)).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> m.connectionsActive() == 0);
    }

    @Test
    void allEndpointsDeadClosesTheClientPromptly() throws Exception {
        ServiceHandle handle = TestHandles.tcp(List.of(deadAddress(), deadAddress()));
        ServiceListener listener = proxy.bind(handle);
        long start = System.nanoTime();
        try (Socket s = TcpTestClient.connect(listener.localAddress())) {
            assertThat(TcpTestClient.awaitEnd(s, Duration.ofSeconds(3))).isNotEqualTo(TcpTestClient.Ending.TIMEOUT);
        }
        System.out.printf("all dead: client closed after %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        ServiceMetrics m = handle.metrics();
        await().atMost(Duration.ofSeconds(3)).until(() -> m.failures(FailureReason.CONNECT_FAILED) == 1);
        assertThat(m.connectFailures()).isEqualTo(3); // maxConnectAttempts = 3, alternating between the two
        assertThat(m.connectRetries()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(3)).until(() -> m.connectionsActive() == 0);
    }

    @Test
    void noEndpointClosesTheClientAtOnce() throws Exception {
        ServiceHandle handle = TestHandles.tcp(List.of());
        ServiceListener listener = proxy.bind(handle);
        try (Socket s = TcpTestClient.connect(listener.localAddress())) {
            assertThat(TcpTestClient.awaitEnd(s, Duration.ofSeconds(3))).isNotEqualTo(TcpTestClient.Ending.TIMEOUT);
        }
        await().atMost(Duration.ofSeconds(3))
                .until(() -> handle.metrics().failures(FailureReason.NO_HEALTHY_ENDPOINT) == 1);
    }

    @Test
    void roundRobinSpreadsRealConnectionsEvenly() throws Exception {
        TcpEchoServer a = echo();
        TcpEchoServer b = echo();
        TcpEchoServer c = echo();
        ServiceHandle handle = TestHandles.tcp(List.of(a.address(), b.address(), c.address()));
        ServiceListener listener = proxy.bind(handle);
        byte[] one = {42};
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            try (Socket s = TcpTestClient.connect(listener.localAddress())) {
                TcpTestClient.assertEcho(s, one);
            }
        }
        System.out.printf("round robin: 1000 connections in %d ms, spread %d/%d/%d%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), a.accepted(), b.accepted(), c.accepted());
        int min = Math.min(a.accepted(), Math.min(b.accepted(), c.accepted()));
        int max = Math.max(a.accepted(), Math.max(b.accepted(), c.accepted()));
        assertThat(a.accepted() + b.accepted() + c.accepted()).isEqualTo(1000);
        assertThat(max - min).isLessThanOrEqualTo(1);
    }

    @Test
    void removedEndpointKeepsItsConnectionsAndGetsNoNewOnes() throws Exception {
        TcpEchoServer a = echo();
        TcpEchoServer b = echo();
        TcpEchoServer c = echo();
        ServiceHandle handle = TestHandles.tcp(List.of(a.address(), b.address(), c.address()));
        ServiceListener listener = proxy.bind(handle);
        Backend removed = TestHandles.backend(handle, c.address());
        int clients = 50;
        CountDownLatch halfway = new CountDownLatch(clients);
        CountDownLatch resume = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                long seed = 100 + i;
                done.add(CompletableFuture.runAsync(() -> {
                    try (Socket s = TcpTestClient.connect(listener.localAddress())) {
                        for (int round = 0; round < 64; round++) {
                            if (round == 32) {
                                halfway.countDown();
                                assertThat(resume.await(20, TimeUnit.SECONDS)).isTrue();
                            }
                            TcpTestClient.assertEcho(s, TcpStreams.randomBytes(16 * 1024, seed * 1000 + round));
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            assertThat(halfway.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(removed.activeConnections()).isPositive();
            int acceptedByRemoved = c.accepted();

            TestHandles.publish(handle, List.of(a.address(), b.address()));
            resume.countDown();
            for (CompletableFuture<Void> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
            for (int i = 0; i < 30; i++) {
                try (Socket s = TcpTestClient.connect(listener.localAddress())) {
                    TcpTestClient.assertEcho(s, new byte[] {(byte) i});
                }
            }
            assertThat(c.accepted()).isEqualTo(acceptedByRemoved);
            assertThat(a.accepted() + b.accepted() + c.accepted()).isEqualTo(clients + 30);
            assertThat(removed.isRemoved()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> removed.activeConnections() == 0);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theNativeTransportCarriesBothLegsOnLinuxWithNoDelayAndKeepAlive() throws Exception {
        Assumptions.assumeTrue(Transports.isNative(), "a native transport (epoll or io_uring) in use");
        // Epoll unless the run asked for io_uring (mvn -Djunction.transport=io_uring).
        Class<?> expected = Transports.ioUring() ? IoUringSocketChannel.class : EpollSocketChannel.class;
        TcpEchoServer a = echo();
        ServiceHandle handle = TestHandles.tcp(List.of(a.address()));
        ServiceListener listener = proxy.bind(handle);
        Backend backend = TestHandles.backend(handle, a.address());
        try (Socket s = TcpTestClient.connect(listener.localAddress())) {
            TcpTestClient.assertEcho(s, new byte[] {1, 2, 3});
            LiveConnection connection = proxy.awaitOnlyConnectionTo(backend);
            Channel clientSide = connection.clientChannel();
            assertThat(clientSide).isInstanceOf(expected);
            assertThat(connection.backendChannel()).isInstanceOf(expected);
            assertThat(clientSide.eventLoop()).isSameAs(connection.backendChannel().eventLoop());
            for (Channel leg : List.of(clientSide, connection.backendChannel())) {
                // Read back from the sockets (getsockopt), not from a config map.
                assertThat(leg.config().getOption(ChannelOption.TCP_NODELAY)).as("TCP_NODELAY on %s", leg).isTrue();
                assertThat(leg.config().getOption(ChannelOption.SO_KEEPALIVE)).as("SO_KEEPALIVE on %s", leg).isTrue();
            }
        }
    }

    /**
     * A stream of small messages must not shrink either leg's read buffer to the message size: Netty's default sizing
     * would, and then every message that fills the buffer exactly costs a second, empty read. Queued buffers then
     * count by the memory they hold (see {@link HeldMemoryEstimator}).
     */
    @Test
    void smallMessagesKeepBothLegsReadingIntoAtLeastTwoKiBQueuedByMemoryHeld() throws Exception {
        TcpEchoServer a = echo();
        ServiceHandle handle = TestHandles.tcp(List.of(a.address()));
        ServiceListener listener = proxy.bind(handle);
        Backend backend = TestHandles.backend(handle, a.address());
        try (Socket s = TcpTestClient.connect(listener.localAddress())) {
            for (int i = 0; i < 50; i++) {
                TcpTestClient.assertEcho(s, TcpStreams.randomBytes(64, i));
            }
            LiveConnection connection = proxy.awaitOnlyConnectionTo(backend);
            Channel clientSide = connection.clientChannel();
            for (Channel leg : List.of(clientSide, connection.backendChannel())) {
                int guess = leg.eventLoop().submit(() -> leg.unsafe().recvBufAllocHandle().guess())
                        .get(5, TimeUnit.SECONDS);
                assertThat(guess).as("read buffer size of %s after 50 reads of 64 bytes", leg)
                        .isGreaterThanOrEqualTo(TcpChannelInitializer.MIN_READ_BYTES);
                assertThat(leg.config().getMessageSizeEstimator()).isSameAs(HeldMemoryEstimator.INSTANCE);
            }
        }
    }

    /**
     * A backend that accepts nothing: its accept queue is full, so Linux drops further SYNs and a connect to it hangs
     * (a blackholed endpoint, on loopback). The connect timeout must fire and the next backend be tried.
     */
    @Test
    void aHangingConnectTimesOutAndTheNextBackendServes() throws Exception {
        TcpEchoServer live = echo();
        try (ServerSocket blackhole = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            InetSocketAddress hole = new InetSocketAddress("127.0.0.1", blackhole.getLocalPort());
            List<Socket> fillers = new ArrayList<>();
            try {
                // Fill the accept queue (backlog 1 holds two) so later SYNs go unanswered.
                for (int i = 0; i < 3; i++) {
                    Socket f = new Socket();
                    fillers.add(f);
                    try {
                        f.connect(hole, 300);
                    } catch (IOException e) {
                        break; // already full: this one hangs, which is what the proxy will see
                    }
                }
                Duration connectTimeout = Duration.ofMillis(300);
                ServiceHandle handle = TestHandles.tcp(TcpSettings.DEFAULTS.withConnectTimeout(connectTimeout),
                        List.of(hole, live.address()));
                ServiceListener listener = proxy.bind(handle);
                byte[] payload = TcpStreams.randomBytes(64, 17);
                long slowest = 0;
                for (int i = 0; i < 4; i++) {
                    long start = System.nanoTime();
                    try (Socket s = TcpTestClient.connect(listener.localAddress())) {
                        TcpTestClient.assertEcho(s, payload);
                    }
                    slowest = Math.max(slowest, System.nanoTime() - start);
                }
                ServiceMetrics m = handle.metrics();
                assertThat(m.connectFailures()).as("round robin sent some connections to the blackhole").isPositive();
                assertThat(m.failures(FailureReason.CONNECT_FAILED)).isZero();
                assertThat(Duration.ofNanos(slowest)).as("waited for the connect timeout, not for the kernel's")
                        .isGreaterThanOrEqualTo(connectTimeout.minusMillis(20))
                        .isLessThan(Duration.ofSeconds(2));
            } finally {
                for (Socket f : fillers) {
                    f.close();
                }
            }
        }
    }

    /** An IPv6 backend behind an IPv4 listener: the backend leg gets a socket of the backend's family. */
    @Test
    void ipv6BackendIsReachedFromAnIpv4Listener() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        ServerSocket server;
        try {
            server = new ServerSocket(0, 8, v6);
        } catch (IOException e) {
            Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
            return;
        }
        try (server) {
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write(s.getInputStream().readNBytes(64));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            ServiceHandle handle = TestHandles.tcp(List.of(new InetSocketAddress(v6, server.getLocalPort())));
            ServiceListener listener = proxy.bind(handle);
            try (Socket s = TcpTestClient.connect(listener.localAddress())) {
                TcpTestClient.assertEcho(s, TcpStreams.randomBytes(64, 23));
            }
            echo.get(5, TimeUnit.SECONDS);
            assertThat(handle.metrics().connectFailures()).isZero();
        }
    }
}
