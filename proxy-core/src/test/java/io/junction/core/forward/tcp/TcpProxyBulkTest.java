package io.junction.core.forward.tcp;

import io.junction.core.forward.LiveConnection;
import io.junction.core.state.ServiceListener;
import io.junction.core.lb.Backend;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.junction.core.testing.TcpBlockingServer;
import io.junction.core.testing.TcpStreams;
import io.junction.core.testing.TcpStreams.Hashed;
import io.junction.core.testing.TcpTestClient;
import io.junction.core.testing.TestHandles;
import io.netty.channel.Channel;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Byte-exact relaying through the proxy: bulk both ways, half-close both ways, and a slow reader. */
class TcpProxyBulkTest {
    private static final int MIB = 1024 * 1024;
    private static TcpProxyFixture proxy;
    /** Dedicated threads: blocking stream tasks must never wait for each other in the common pool. */
    private static ExecutorService threads;

    @BeforeAll
    static void start() {
        proxy = new TcpProxyFixture();
        threads = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() {
        proxy.close();
        threads.shutdownNow();
    }

    @AfterEach
    void closeListeners() {
        proxy.closeListeners();
    }

    @Test
    void relays100MiBEachWayAtOnceByteExact() throws Exception {
        long size = 100L * MIB;
        TcpScenarios.Outcome o = TcpScenarios.bothWaysAtOnce(proxy, threads, TcpSettings.DEFAULTS, size);
        System.out.printf("bulk: 2 x 100 MiB in %d ms%n", o.millis());
        assertThat(o.handle().metrics().bytesToBackend()).isEqualTo(size);
        assertThat(o.handle().metrics().bytesToClient()).isEqualTo(size);
        assertThat(o.backend().bytesToBackend()).isEqualTo(size);
        assertThat(o.backend().bytesFromBackend()).isEqualTo(size);
    }

    @Test
    void clientHalfCloseStillGetsTheWholeReply() throws Exception {
        TcpScenarios.clientHalfCloseThenReply(proxy, TcpSettings.DEFAULTS);
    }

    /**
     * After the client's FIN the proxy's client channel waits for nothing but writability. The reply is held back
     * until the proxy's client socket is full, so the proxy must ask epoll for EPOLLOUT on that half-closed channel
     * (with Netty 4.2.18's epoll transport this failed with ENOENT: the fd had been dropped from the epoll set).
     */
    @Test
    void halfClosedClientGetsAReplyLargerThanTheSocketBuffers() throws Exception {
        long size = 16L * MIB;
        CompletableFuture<Hashed> backendSent = new CompletableFuture<>();
        try (TcpBlockingServer backend = new TcpBlockingServer(s -> {
            TcpStreams.readAll(s.getInputStream());
            backendSent.complete(TcpStreams.writeRandom(s.getOutputStream(), size, 8));
        })) {
            ServiceHandle handle = TestHandles.tcp(List.of(backend.address()));
            ServiceListener listener = proxy.bind(handle);
            Backend b = TestHandles.backend(handle, backend.address());
            try (Socket client = new Socket()) {
                client.setReceiveBufferSize(64 * 1024);
                client.setSoTimeout(10_000);
                client.connect(listener.localAddress(), 5_000);
                client.getOutputStream().write(TcpStreams.randomBytes(1024, 9));
                client.shutdownOutput();
                Channel clientSide = proxy.awaitOnlyConnectionTo(b).clientChannel();
                // Not reading yet: the reply piles up in the proxy until its client channel is unwritable.
                await().atMost(Duration.ofSeconds(10)).until(() -> !clientSide.isWritable());

                Hashed received = TcpStreams.readAll(client.getInputStream());
                assertThat(received.bytes()).as("bytes the client received before EOF").isEqualTo(size);
                assertThat(received).isEqualTo(backendSent.get(10, TimeUnit.SECONDS));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> handle.metrics().connectionsActive() == 0);
            assertThat(backend.errors()).isEmpty();
        }
    }

    @Test
    void backendHalfCloseLetsTheClientKeepSending() throws Exception {
        TcpScenarios.backendHalfCloseThenClientSends(proxy, TcpSettings.DEFAULTS);
    }

    @Test
    void slowReaderBackpressuresTheBackendAndBoundsProxyMemory() throws Exception {
        int size = 64 * MIB;
        TcpSettings tcp = TcpSettings.DEFAULTS;
        long bound = tcp.writeBufferHighWaterMark() + 64 * 1024; // high-water mark + one read buffer
        AtomicLong backendWritten = new AtomicLong();
        byte[] payload = TcpStreams.randomBytes(size, 7);
        try (TcpBlockingServer backend = new TcpBlockingServer(s -> {
            for (int off = 0; off < payload.length; off += 64 * 1024) {
                s.getOutputStream().write(payload, off, 64 * 1024);
                backendWritten.addAndGet(64 * 1024);
            }
            s.shutdownOutput();
        })) {
            ServiceHandle handle = TestHandles.tcp(tcp, List.of(backend.address()));
            ServiceListener listener = proxy.bind(handle);
            Backend b = TestHandles.backend(handle, backend.address());
            try (Socket client = new Socket()) {
                client.setReceiveBufferSize(64 * 1024);
                client.setSoTimeout(10_000);
                client.connect(listener.localAddress(), 5_000);
                LiveConnection connection = proxy.awaitOnlyConnectionTo(b);
                Channel clientSide = connection.clientChannel();
                Channel backendSide = connection.backendChannel();

                ByteArrayOutputStream received = new ByteArrayOutputStream(size);
                long maxPending = 0;
                int samples = 0;
                long writtenAt2s = -1;
                long slowStart = System.nanoTime();
                long nextRead = slowStart;
                while (System.nanoTime() - slowStart < TimeUnit.SECONDS.toNanos(3)) {
                    if (System.nanoTime() >= nextRead) {
                        // ~1 KiB/s: 256 bytes every 250 ms.
                        received.write(TcpTestClient.readExactly(client.getInputStream(), 256));
                        nextRead += TimeUnit.MILLISECONDS.toNanos(250);
                    }
                    assertThat(pending(backendSide)).isZero();
                    maxPending = Math.max(maxPending, pending(clientSide));
                    samples++;
                    if (writtenAt2s < 0 && System.nanoTime() - slowStart > TimeUnit.SECONDS.toNanos(2)) {
                        writtenAt2s = backendWritten.get();
                    }
                    Thread.sleep(10); // sampling pace, not synchronization
                }
                long writtenAt3s = backendWritten.get();
                System.out.printf("slow reader: samples=%d maxPending=%d backendWritten=%d%n",
                        samples, maxPending, writtenAt3s);
                assertThat(samples).isGreaterThan(100);
                assertThat(maxPending).isLessThanOrEqualTo(bound).isGreaterThanOrEqualTo(tcp.writeBufferLowWaterMark());
                // Back-pressured: the backend is stuck far below 64 MiB and no longer advancing.
                assertThat(writtenAt3s).isLessThan(size / 2);
                assertThat(writtenAt3s - writtenAt2s).isLessThan(MIB);

                client.getInputStream().transferTo(received);
                assertThat(received.size()).isEqualTo(size);
                assertThat(Arrays.equals(received.toByteArray(), payload)).as("64 MiB intact").isTrue();
            }
            assertThat(backend.errors()).isEmpty();
        }
    }

    private static long pending(Channel ch) throws Exception {
        return ch.eventLoop().submit(() -> {
            var buffer = ch.unsafe().outboundBuffer();
            return buffer == null ? 0L : buffer.totalPendingWriteBytes();
        }).get(5, TimeUnit.SECONDS);
    }
}
