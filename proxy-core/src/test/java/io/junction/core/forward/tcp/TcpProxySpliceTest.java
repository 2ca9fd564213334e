package io.junction.core.forward.tcp;

import io.junction.core.state.ServiceListener;
import io.junction.core.forward.Transports;
import io.junction.core.lb.Backend;
import io.junction.core.metrics.FailureReason;
import io.junction.core.model.SpliceMode;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.junction.core.testing.TcpBlockingServer;
import io.junction.core.testing.ManualClock;
import io.junction.core.testing.TcpEchoServer;
import io.junction.core.testing.TcpStreams;
import io.junction.core.testing.TcpStreams.Hashed;
import io.junction.core.testing.TcpTestClient;
import io.junction.core.testing.TcpTestClient.Ending;
import io.junction.core.testing.TestHandles;
import io.netty.channel.Channel;
import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * splice(2) forwarding ({@code splice: on} and {@code auto}) on the epoll transport: byte-exact bulk both ways,
 * half-close both ways (also with the source's FIN arriving while the pipe is full), resets, a slow reader, the idle
 * timeout, draining, and the AUTO switch rule. Skipped when the transport is not epoll (splice then falls back to the
 * relay, which the other test classes cover).
 */
class TcpProxySpliceTest {
    private static final int MIB = 1024 * 1024;
    private static final TcpSettings SPLICE_ON = TcpSettings.DEFAULTS.withSplice(SpliceMode.ON);
    private static TcpProxyFixture proxy;
    private static ExecutorService threads;

    @BeforeAll
    static void start() {
        assumeThat(Transports.epoll()).as("splice needs the native epoll transport").isTrue();
        proxy = new TcpProxyFixture();
        threads = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
            threads.shutdownNow();
        }
    }

    @AfterEach
    void closeListeners() {
        proxy.closeListeners();
    }

    @Test
    void splices100MiBEachWayAtOnceByteExact() throws Exception {
        long size = 100L * MIB;
        TcpScenarios.Outcome o = TcpScenarios.bothWaysAtOnce(proxy, threads, SPLICE_ON, size);
        System.out.printf("splice bulk: 2 x 100 MiB in %d ms%n", o.millis());
        assertThat(o.handle().metrics().splicedConnections()).isEqualTo(1);
        // Spliced bytes are counted per completed chunk: at most one unfinished chunk per direction is missing.
        assertCountedUpToOneChunkShort(o.handle().metrics().bytesToBackend(), size);
        assertCountedUpToOneChunkShort(o.handle().metrics().bytesToClient(), size);
        assertCountedUpToOneChunkShort(o.backend().bytesToBackend(), size);
        assertCountedUpToOneChunkShort(o.backend().bytesFromBackend(), size);
    }

    @Test
    void clientHalfCloseStillGetsTheWholeReply() throws Exception {
        TcpScenarios.Outcome o = TcpScenarios.clientHalfCloseThenReply(proxy, SPLICE_ON);
        assertThat(o.handle().metrics().splicedConnections()).isEqualTo(1);
    }

    @Test
    void backendHalfCloseLetsTheClientKeepSending() throws Exception {
        TcpScenarios.Outcome o = TcpScenarios.backendHalfCloseThenClientSends(proxy, SPLICE_ON);
        assertThat(o.handle().metrics().splicedConnections()).isEqualTo(1);
    }

    /**
     * The client's FIN arrives while the proxy is back-pressured (the backend is not reading, the pipe is full) and
     * part of the stream is still in the proxy's socket: Netty's splice stops at the FIN, so that tail must be relayed
     * before the FIN is forwarded.
     */
    @Test
    void finArrivingWhileThePipeIsFullForwardsTheWholeStreamFirst() throws Exception {
        // Where the stream stalls relative to a splice chunk depends on the socket buffers: vary the size.
        for (int i = 0; i < 4; i++) {
            finWhileBackpressured(4L * MIB + i * 21_011L, 11 + i);
        }
    }

    private void finWhileBackpressured(long size, long seed) throws Exception {
        CountDownLatch clientDone = new CountDownLatch(1);
        CompletableFuture<Hashed> backendReceived = new CompletableFuture<>();
        try (TcpBlockingServer backend = new TcpBlockingServer(s -> {
            // Scenario delay, not synchronization: hold the stream back until the client's FIN is out (bounded).
            clientDone.await(5, TimeUnit.SECONDS);
            backendReceived.complete(TcpStreams.readAll(s.getInputStream()));
        })) {
            ServiceHandle handle = TestHandles.tcp(SPLICE_ON, List.of(backend.address()));
            ServiceListener listener = proxy.bind(handle);
            try (Socket client = TcpTestClient.connect(listener.localAddress())) {
                Hashed sent = TcpStreams.writeRandom(client.getOutputStream(), size, seed);
                client.shutdownOutput();
                clientDone.countDown();
                assertThat(backendReceived.get(10, TimeUnit.SECONDS)).isEqualTo(sent);
                assertThat(TcpTestClient.awaitEnd(client, Duration.ofSeconds(3))).isEqualTo(Ending.EOF);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> handle.metrics().connectionsActive() == 0);
            assertThat(handle.metrics().splicedConnections()).isEqualTo(1);
            assertThat(backend.errors()).isEmpty();
        } finally {
            proxy.closeListeners();
        }
    }

    @Test
    void backendResetReachesTheClientAsReset() throws Exception {
        TcpScenarios.Outcome o = TcpScenarios.backendResetReachesTheClient(proxy, SPLICE_ON);
        assertThat(o.handle().metrics().splicedConnections()).isEqualTo(1);
    }

    @Test
    void clientResetReachesTheBackendAsReset() throws Exception {
        TcpScenarios.clientResetReachesTheBackend(proxy, SPLICE_ON);
    }

    @Test
    void slowReaderBackpressuresTheBackendWithoutProxyBuffers() throws Exception {
        int size = 64 * MIB;
        AtomicLong backendWritten = new AtomicLong();
        byte[] payload = TcpStreams.randomBytes(size, 7);
        try (TcpBlockingServer backend = new TcpBlockingServer(s -> {
            for (int off = 0; off < payload.length; off += 64 * 1024) {
                s.getOutputStream().write(payload, off, 64 * 1024);
                backendWritten.addAndGet(64 * 1024);
            }
            s.shutdownOutput();
        })) {
            ServiceHandle handle = TestHandles.tcp(SPLICE_ON, List.of(backend.address()));
            ServiceListener listener = proxy.bind(handle);
            Backend b = TestHandles.backend(handle, backend.address());
            long directBefore = PlatformDependent.usedDirectMemory();
            try (Socket client = new Socket()) {
                client.setReceiveBufferSize(64 * 1024);
                client.setSoTimeout(10_000);
                client.connect(listener.localAddress(), 5_000);
                Channel clientSide = proxy.awaitOnlyConnectionTo(b).clientChannel();

                ByteArrayOutputStream received = new ByteArrayOutputStream(size);
                long maxPending = 0;
                long maxDirectGrowth = 0;
                long writtenAt1s = -1;
                long slowStart = System.nanoTime();
                long nextRead = slowStart;
                while (System.nanoTime() - slowStart < TimeUnit.SECONDS.toNanos(2)) {
                    if (System.nanoTime() >= nextRead) {
                        received.write(TcpTestClient.readExactly(client.getInputStream(), 256));
                        nextRead += TimeUnit.MILLISECONDS.toNanos(250);
                    }
                    maxPending = Math.max(maxPending, pending(clientSide));
                    maxDirectGrowth = Math.max(maxDirectGrowth, PlatformDependent.usedDirectMemory() - directBefore);
                    if (writtenAt1s < 0 && System.nanoTime() - slowStart > TimeUnit.SECONDS.toNanos(1)) {
                        writtenAt1s = backendWritten.get();
                    }
                    Thread.sleep(10); // sampling pace, not synchronization
                }
                long writtenAt2s = backendWritten.get();
                System.out.printf("splice slow reader: maxPending=%d maxDirectGrowth=%d backendWritten=%d%n",
                        maxPending, maxDirectGrowth, writtenAt2s);
                // The bytes wait in the kernel (sockets, pipe); the proxy queues only splice tasks, no buffers.
                assertThat(maxPending).isLessThan(1024);
                assertThat(maxDirectGrowth).isLessThan(4L * MIB);
                assertThat(writtenAt2s).isLessThan(size / 2);
                assertThat(writtenAt2s - writtenAt1s).isLessThan(MIB);

                client.getInputStream().transferTo(received);
                assertThat(received.size()).isEqualTo(size);
                assertThat(Arrays.equals(received.toByteArray(), payload)).as("64 MiB intact").isTrue();
            }
            assertThat(handle.metrics().splicedConnections()).isEqualTo(1);
            assertThat(backend.errors()).isEmpty();
        }
    }

    /**
     * Spliced bytes never pass the pipeline, so the idle timer must learn of them from the splice wake-ups. Time is
     * a {@link ManualClock}: 60% of the timeout passes between echoes, five times over, and the connection lives; a
     * whole timeout without traffic ends it.
     */
    @Test
    void activeSplicedConnectionStaysOpenAndIdleOneIsClosed() throws Exception {
        Duration idle = Duration.ofMillis(100);
        ManualClock clock = new ManualClock();
        try (TcpEchoServer echo = new TcpEchoServer();
             TcpProxyFixture timed = new TcpProxyFixture(clock)) {
            ServiceHandle handle = TestHandles.tcp(SPLICE_ON.withIdleTimeout(idle), List.of(echo.address()));
            ServiceListener listener = timed.bind(handle);
            try (Socket s = TcpTestClient.connect(listener.localAddress())) {
                byte[] ping = TcpStreams.randomBytes(512, 31);
                for (int i = 0; i < 5; i++) {
                    TcpTestClient.assertEcho(s, ping);
                    clock.advance(idle.multipliedBy(6).dividedBy(10));
                    // Real time for the idle check to wake up and look at the clock.
                    Thread.sleep(2 * idle.toMillis());
                }
                TcpTestClient.assertEcho(s, ping);

                clock.advance(idle);
                assertThat(TcpTestClient.awaitEnd(s, Duration.ofSeconds(3))).isEqualTo(Ending.EOF);
            }
            await().atMost(Duration.ofSeconds(3)).until(() -> handle.metrics().connectionsActive() == 0);
            assertThat(handle.metrics().failures(FailureReason.IDLE_TIMEOUT)).isEqualTo(1);
            assertThat(handle.metrics().splicedConnections()).isEqualTo(1);
        }
    }

    @Test
    void drainClosesASplicedConnectionCleanly() throws Exception {
        try (TcpEchoServer echo = new TcpEchoServer()) {
            ServiceHandle handle = TestHandles.tcp(SPLICE_ON, List.of(echo.address()));
            ServiceListener listener = proxy.bind(handle);
            Backend b = TestHandles.backend(handle, echo.address());
            try (Socket s = TcpTestClient.connect(listener.localAddress())) {
                TcpTestClient.assertEcho(s, TcpStreams.randomBytes(4096, 41));
                proxy.awaitOnlyConnectionTo(b);
                proxy.drain(b, null);
                assertThat(TcpTestClient.awaitEnd(s, Duration.ofSeconds(3))).isEqualTo(Ending.EOF);
            }
            await().atMost(Duration.ofSeconds(3)).until(() -> handle.metrics().connectionsActive() == 0);
            assertThat(echo.active()).isZero();
        }
    }

    @Test
    void autoKeepsSmallEchoesOnTheRelay() throws Exception {
        try (TcpEchoServer echo = new TcpEchoServer()) {
            ServiceHandle handle = TestHandles.tcp(TcpSettings.DEFAULTS.withSplice(SpliceMode.AUTO),
                    List.of(echo.address()));
            ServiceListener listener = proxy.bind(handle);
            try (Socket s = TcpTestClient.connect(listener.localAddress())) {
                byte[] ping = TcpStreams.randomBytes(1024, 51);
                for (int i = 0; i < 200; i++) {
                    TcpTestClient.assertEcho(s, ping);
                }
            }
            await().atMost(Duration.ofSeconds(3)).until(() -> handle.metrics().connectionsActive() == 0);
            assertThat(handle.metrics().splicedConnections()).isZero();
            // On the relay every byte is counted exactly.
            assertThat(handle.metrics().bytesToBackend()).isEqualTo(200L * 1024);
            assertThat(handle.metrics().bytesToClient()).isEqualTo(200L * 1024);
        }
    }

    @Test
    void autoSwitchesABulkStreamToSplice() throws Exception {
        long size = 64L * MIB;
        CompletableFuture<Hashed> backendSent = new CompletableFuture<>();
        CompletableFuture<Hashed> backendReceived = new CompletableFuture<>();
        try (TcpBlockingServer backend = new TcpBlockingServer(s -> {
            backendReceived.complete(TcpStreams.read(s.getInputStream(), 100));
            backendSent.complete(TcpStreams.writeRandom(s.getOutputStream(), size, 61));
            s.shutdownOutput();
        })) {
            ServiceHandle handle = TestHandles.tcp(TcpSettings.DEFAULTS.withSplice(SpliceMode.AUTO),
                    List.of(backend.address()));
            ServiceListener listener = proxy.bind(handle);
            try (Socket client = TcpTestClient.connect(listener.localAddress())) {
                byte[] request = TcpStreams.randomBytes(100, 62);
                client.getOutputStream().write(request);
                Hashed received = TcpStreams.readAll(client.getInputStream());
                assertThat(received).isEqualTo(backendSent.get(10, TimeUnit.SECONDS));
                assertThat(backendReceived.get(10, TimeUnit.SECONDS).bytes()).isEqualTo(100);
            }
            await().atMost(Duration.ofSeconds(3)).until(() -> handle.metrics().connectionsActive() == 0);
            assertThat(handle.metrics().splicedConnections()).isEqualTo(1);
            assertThat(handle.metrics().bytesToBackend()).isEqualTo(100);
            assertCountedUpToOneChunkShort(handle.metrics().bytesToClient(), size);
            assertThat(backend.errors()).isEmpty();
        }
    }

    /**
     * The client's request and FIN come first, then a bulk reply that AUTO switches to splice, then the backend's
     * close. The backend leg had stopped allowing half-closure when the proxy sent it the FIN (its FIN would end the
     * leg at once); splicing needs it back, since the spliced tail is read after the FIN.
     */
    @Test
    void autoSplicesAReplyAfterTheClientsFinToTheLastByte() throws Exception {
        for (int i = 0; i < 3; i++) {
            long size = 32L * MIB + i * 33_331L;
            long seed = 63 + i;
            CompletableFuture<Hashed> backendSent = new CompletableFuture<>();
            try (TcpBlockingServer backend = new TcpBlockingServer(s -> {
                TcpStreams.readAll(s.getInputStream());
                backendSent.complete(TcpStreams.writeRandom(s.getOutputStream(), size, seed));
            })) {
                ServiceHandle handle = TestHandles.tcp(TcpSettings.DEFAULTS.withSplice(SpliceMode.AUTO),
                        List.of(backend.address()));
                ServiceListener listener = proxy.bind(handle);
                try (Socket client = TcpTestClient.connect(listener.localAddress())) {
                    client.getOutputStream().write(TcpStreams.randomBytes(100, 66));
                    client.shutdownOutput();
                    Hashed received = TcpStreams.readAll(client.getInputStream());
                    assertThat(received).isEqualTo(backendSent.get(10, TimeUnit.SECONDS));
                }
                await().atMost(Duration.ofSeconds(3)).until(() -> handle.metrics().connectionsActive() == 0);
                assertThat(handle.metrics().splicedConnections()).isEqualTo(1);
                assertThat(backend.errors()).isEmpty();
            } finally {
                proxy.closeListeners();
            }
        }
    }

    @Test
    void backendResetAfterTheClientsFinReachesTheClientAsReset() throws Exception {
        TcpScenarios.backendResetAfterClientHalfClose(proxy, TcpSettings.DEFAULTS.withSplice(SpliceMode.AUTO));
    }

    private static void assertCountedUpToOneChunkShort(long counted, long actual) {
        assertThat(counted).isLessThanOrEqualTo(actual).isGreaterThan(actual - SpliceDirection.CHUNK_BYTES);
    }

    private static long pending(Channel ch) throws Exception {
        return ch.eventLoop().submit(() -> {
            var buffer = ch.unsafe().outboundBuffer();
            return buffer == null ? 0L : buffer.totalPendingWriteBytes();
        }).get(5, TimeUnit.SECONDS);
    }
}
