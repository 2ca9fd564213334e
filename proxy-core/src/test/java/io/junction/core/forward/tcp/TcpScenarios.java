package io.junction.core.forward.tcp;

import io.junction.core.state.ServiceListener;
import io.junction.core.lb.Backend;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.junction.core.testing.TcpBlockingServer;
import io.junction.core.testing.TcpSocketStates;
import io.junction.core.testing.TcpStreams;
import io.junction.core.testing.TcpStreams.Hashed;
import io.junction.core.testing.TcpTestClient;
import io.junction.core.testing.TcpTestClient.Ending;
import io.junction.core.testing.TestHandles;

import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Byte-integrity scenarios run by both the relay tests and the splice tests, so both paths are held to the same
 * bar: each drives real sockets through a listener with the given settings, asserts that every byte arrived (SHA-256)
 * and that the connection ended cleanly, and returns what the caller checks on top (counters differ per path).
 */
final class TcpScenarios {
    private static final long MIB = 1024 * 1024;

    private TcpScenarios() {
    }

    /** What a scenario leaves for path-specific checks. */
    record Outcome(ServiceHandle handle, Backend backend, long millis) {
    }

    /**
     * {@code size} bytes each way at the same time: the client streams and then half-closes, the backend streams its
     * own bytes back while reading, then half-closes.
     */
    static Outcome bothWaysAtOnce(TcpProxyFixture proxy, ExecutorService threads, TcpSettings tcp, long size)
            throws Exception {
        CompletableFuture<Hashed> backendReceived = new CompletableFuture<>();
        CompletableFuture<Hashed> backendSent = new CompletableFuture<>();
        try (TcpBlockingServer backend = new TcpBlockingServer(s -> {
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                try {
                    backendReceived.complete(TcpStreams.readAll(s.getInputStream()));
                } catch (Exception e) {
                    backendReceived.completeExceptionally(e);
                }
            }, threads);
            backendSent.complete(TcpStreams.writeRandom(s.getOutputStream(), size, 2));
            s.shutdownOutput();
            reader.get(60, TimeUnit.SECONDS);
        })) {
            ServiceHandle handle = TestHandles.tcp(tcp, List.of(backend.address()));
            ServiceListener listener = proxy.bind(handle);
            Backend only = TestHandles.backend(handle, backend.address());
            long start = System.nanoTime();
            try (Socket client = TcpTestClient.connect(listener.localAddress());
                 StallWatchdog watchdog = new StallWatchdog(handle, () -> proxy.describe(only), 5_000)) {
                try {
                    transferBothWays(client, threads, size, backendSent, backendReceived);
                } catch (Exception | AssertionError e) {
                    if (watchdog.report() != null) {
                        throw new AssertionError(watchdog.report(), e);
                    }
                    throw e;
                }
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(backend.errors()).isEmpty();
            await().atMost(Duration.ofSeconds(5)).until(() -> handle.metrics().connectionsActive() == 0);
            Backend b = TestHandles.backend(handle, backend.address());
            assertThat(b.activeConnections()).isZero();
            return new Outcome(handle, b, millis);
        }
    }

    /** The client streams {@code size} bytes and half-closes while it reads the backend's {@code size} bytes. */
    private static void transferBothWays(Socket client, ExecutorService threads, long size,
                                         CompletableFuture<Hashed> backendSent,
                                         CompletableFuture<Hashed> backendReceived) throws Exception {
        CompletableFuture<Hashed> clientSent = CompletableFuture.supplyAsync(() -> {
            try {
                Hashed h = TcpStreams.writeRandom(client.getOutputStream(), size, 1);
                client.shutdownOutput();
                return h;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, threads);
        Hashed clientReceived = TcpStreams.readAll(client.getInputStream());
        assertThat(clientReceived.bytes()).as("bytes the client received before EOF").isEqualTo(size);
        assertThat(clientReceived).isEqualTo(backendSent.get(60, TimeUnit.SECONDS));
        assertThat(backendReceived.get(60, TimeUnit.SECONDS)).isEqualTo(clientSent.get(60, TimeUnit.SECONDS));
    }

    /** The client sends 2 MiB and half-closes; only then does the backend send its 6 MiB reply through. */
    static Outcome clientHalfCloseThenReply(TcpProxyFixture proxy, TcpSettings tcp) throws Exception {
        CompletableFuture<Hashed> backendReceived = new CompletableFuture<>();
        CompletableFuture<Hashed> backendSent = new CompletableFuture<>();
        try (TcpBlockingServer backend = new TcpBlockingServer(s -> {
            backendReceived.complete(TcpStreams.readAll(s.getInputStream()));
            // EOF seen: the reply still has to reach the client through the half-closed connection.
            backendSent.complete(TcpStreams.writeRandom(s.getOutputStream(), 6L * MIB, 4));
        })) {
            ServiceHandle handle = TestHandles.tcp(tcp, List.of(backend.address()));
            ServiceListener listener = proxy.bind(handle);
            try (Socket client = TcpTestClient.connect(listener.localAddress())) {
                Hashed sent = TcpStreams.writeRandom(client.getOutputStream(), 2L * MIB, 3);
                client.shutdownOutput();
                Hashed received = TcpStreams.readAll(client.getInputStream());

                assertThat(backendReceived.get(10, TimeUnit.SECONDS)).isEqualTo(sent);
                assertThat(received).isEqualTo(backendSent.get(10, TimeUnit.SECONDS));
                assertThat(received.bytes()).isEqualTo(6L * MIB);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> handle.metrics().connectionsActive() == 0);
            assertThat(backend.errors()).isEmpty();
            return new Outcome(handle, TestHandles.backend(handle, backend.address()), 0);
        }
    }

    /** The backend sends 4 MiB and half-closes; the client then still sends 3 MiB the other way. */
    static Outcome backendHalfCloseThenClientSends(TcpProxyFixture proxy, TcpSettings tcp) throws Exception {
        CompletableFuture<Hashed> backendReceived = new CompletableFuture<>();
        CompletableFuture<Hashed> backendSent = new CompletableFuture<>();
        try (TcpBlockingServer backend = new TcpBlockingServer(s -> {
            backendSent.complete(TcpStreams.writeRandom(s.getOutputStream(), 4L * MIB, 5));
            s.shutdownOutput();
            backendReceived.complete(TcpStreams.readAll(s.getInputStream()));
        })) {
            ServiceHandle handle = TestHandles.tcp(tcp, List.of(backend.address()));
            ServiceListener listener = proxy.bind(handle);
            try (Socket client = TcpTestClient.connect(listener.localAddress())) {
                Hashed received = TcpStreams.readAll(client.getInputStream());
                // The backend's FIN arrived; this direction must still carry everything the client sends now.
                Hashed sent = TcpStreams.writeRandom(client.getOutputStream(), 3L * MIB, 6);
                client.shutdownOutput();

                assertThat(received).isEqualTo(backendSent.get(10, TimeUnit.SECONDS));
                assertThat(backendReceived.get(10, TimeUnit.SECONDS)).isEqualTo(sent);
                assertThat(TcpTestClient.awaitEnd(client, Duration.ofSeconds(3))).isEqualTo(TcpTestClient.Ending.EOF);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> handle.metrics().connectionsActive() == 0);
            assertThat(backend.errors()).isEmpty();
            return new Outcome(handle, TestHandles.backend(handle, backend.address()), 0);
        }
    }

    /**
     * The backend sends 256 KiB and then aborts (SO_LINGER 0) while the client is still reading: the client must see
     * a reset, not a clean EOF, and no proxy socket may be left half-closed.
     */
    static Outcome backendResetReachesTheClient(TcpProxyFixture proxy, TcpSettings tcp) throws Exception {
        CountDownLatch clientReading = new CountDownLatch(1);
        try (TcpBlockingServer backend = new TcpBlockingServer(s -> {
            byte[] chunk = TcpStreams.randomBytes(64 * 1024, 21);
            for (int i = 0; i < 4; i++) {
                s.getOutputStream().write(chunk);
            }
            clientReading.await(5, TimeUnit.SECONDS);
            s.setSoLinger(true, 0);
            s.close(); // abortive: RST mid-transfer
        })) {
            ServiceHandle handle = TestHandles.tcp(tcp, List.of(backend.address()));
            ServiceListener listener = proxy.bind(handle);
            long start;
            try (Socket client = TcpTestClient.connect(listener.localAddress())) {
                TcpTestClient.readExactly(client.getInputStream(), 64 * 1024);
                clientReading.countDown();
                start = System.nanoTime();
                assertThatThrownBy(() -> TcpStreams.readAll(client.getInputStream()))
                        .isInstanceOf(SocketException.class)
                        .hasMessageContaining("Connection reset");
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertNoHalfClosedSockets(listener.localAddress().getPort(), backend.address().getPort());
            await().atMost(Duration.ofSeconds(3)).until(() -> handle.metrics().connectionsActive() == 0);
            return new Outcome(handle, TestHandles.backend(handle, backend.address()), millis);
        }
    }

    /**
     * The client sends its request and half-closes; the backend answers 256 KiB and then aborts (SO_LINGER 0) while
     * the client is still reading. Once the proxy has sent its FIN to the backend, Netty ends that leg at the
     * backend's next FIN or reset by closing it: the reset must still reach the client as a reset, not a clean EOF.
     */
    static Outcome backendResetAfterClientHalfClose(TcpProxyFixture proxy, TcpSettings tcp) throws Exception {
        CountDownLatch clientReading = new CountDownLatch(1);
        CompletableFuture<Hashed> backendReceived = new CompletableFuture<>();
        try (TcpBlockingServer backend = new TcpBlockingServer(s -> {
            backendReceived.complete(TcpStreams.readAll(s.getInputStream()));
            byte[] chunk = TcpStreams.randomBytes(64 * 1024, 24);
            for (int i = 0; i < 4; i++) {
                s.getOutputStream().write(chunk);
            }
            clientReading.await(5, TimeUnit.SECONDS);
            s.setSoLinger(true, 0);
            s.close();
        })) {
            ServiceHandle handle = TestHandles.tcp(tcp, List.of(backend.address()));
            ServiceListener listener = proxy.bind(handle);
            try (Socket client = TcpTestClient.connect(listener.localAddress())) {
                Hashed sent = TcpStreams.writeRandom(client.getOutputStream(), 1024, 25);
                client.shutdownOutput();
                assertThat(backendReceived.get(5, TimeUnit.SECONDS)).isEqualTo(sent);
                TcpTestClient.readExactly(client.getInputStream(), 64 * 1024);
                clientReading.countDown();
                assertThatThrownBy(() -> TcpStreams.readAll(client.getInputStream()))
                        .isInstanceOf(SocketException.class)
                        .hasMessageContaining("Connection reset");
            }
            assertNoHalfClosedSockets(listener.localAddress().getPort(), backend.address().getPort());
            await().atMost(Duration.ofSeconds(3)).until(() -> handle.metrics().connectionsActive() == 0);
            return new Outcome(handle, TestHandles.backend(handle, backend.address()), 0);
        }
    }

    /** The client aborts (SO_LINGER 0) with bytes in flight: the backend must see a reset, not a clean EOF. */
    static Outcome clientResetReachesTheBackend(TcpProxyFixture proxy, TcpSettings tcp) throws Exception {
        CountDownLatch backendReading = new CountDownLatch(1);
        CompletableFuture<Ending> backendSaw = new CompletableFuture<>();
        try (TcpBlockingServer backend = new TcpBlockingServer(s -> {
            TcpTestClient.readExactly(s.getInputStream(), 1024);
            backendReading.countDown();
            backendSaw.complete(TcpTestClient.awaitEnd(s, Duration.ofSeconds(5)));
        })) {
            ServiceHandle handle = TestHandles.tcp(tcp, List.of(backend.address()));
            ServiceListener listener = proxy.bind(handle);
            Socket client = TcpTestClient.connect(listener.localAddress());
            client.getOutputStream().write(TcpStreams.randomBytes(1024, 22));
            assertThat(backendReading.await(5, TimeUnit.SECONDS)).isTrue();
            client.getOutputStream().write(TcpStreams.randomBytes(8 * 1024, 23));
            client.setSoLinger(true, 0);
            client.close();

            assertThat(backendSaw.get(5, TimeUnit.SECONDS)).isEqualTo(Ending.RESET);
            assertNoHalfClosedSockets(listener.localAddress().getPort(), backend.address().getPort());
            await().atMost(Duration.ofSeconds(3)).until(() -> handle.metrics().connectionsActive() == 0);
            return new Outcome(handle, TestHandles.backend(handle, backend.address()), 0);
        }
    }

    /** No proxy or backend socket on these ports is stuck in CLOSE_WAIT or FIN_WAIT2 (bounded wait). */
    static void assertNoHalfClosedSockets(int... ports) {
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            assertThat(TcpSocketStates.inState(TcpSocketStates.CLOSE_WAIT, ports)).isEmpty();
            assertThat(TcpSocketStates.inState(TcpSocketStates.FIN_WAIT2, ports)).isEmpty();
        });
    }
}
