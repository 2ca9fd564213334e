package io.junction.core.forward.tcp;

import io.junction.core.forward.Transports;
import io.junction.core.lb.Backend;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.junction.core.state.ServiceListener;
import io.junction.core.testing.TcpBlockingServer;
import io.junction.core.testing.TcpStreams;
import io.junction.core.testing.TcpStreams.Hashed;
import io.junction.core.testing.TestHandles;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The memory a connection holds for a slow reader, counted exactly: a probe at the head of the client channel's
 * pipeline sees every buffer the proxy queues towards the client and records the queue's size after each write (by
 * buffer capacity, as {@link HeldMemoryEstimator} counts it). The backend sends 8 MiB as fast as it can, then its FIN,
 * which reaches the proxy while reading the backend is paused: Netty's epoll transport then read the socket to its
 * end whatever auto-read said, and the queue grew to the whole tail (1.8 MiB here), until {@link PausableReadSizing}.
 */
class TcpSlowReaderMemoryTest {
    private static final int HIGH_WATER = 128 * 1024;
    private static final int LOW_WATER = 64 * 1024;
    private static final int CLIENT_RECEIVE_BUFFER = 16 * 1024;
    private static final int SLOW_READ_BYTES = 16 * 1024;
    /** The largest buffer a leg reads into ({@link TcpChannelInitializer#READ_SIZING}). */
    private static final int MAX_READ_BYTES = 64 * 1024;
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
    void aSlowReaderMakesTheConnectionHoldAtMostTwiceTheHighWaterMarkUpToTheBackendsFin() throws Exception {
        long size = 8L << 20;
        CompletableFuture<Hashed> sent = new CompletableFuture<>();
        try (TcpBlockingServer backend = new TcpBlockingServer(s -> {
            // A small send buffer, as the reliability scenario's backends have: back-pressure reaches the writer.
            s.setSendBufferSize(64 * 1024);
            sent.complete(TcpStreams.writeRandom(s.getOutputStream(), size, 16));
        })) {
            TcpSettings tcp = TcpSettings.DEFAULTS.withWriteBufferWaterMarks(LOW_WATER, HIGH_WATER);
            ServiceHandle handle = TestHandles.tcp(tcp, List.of(backend.address()));
            ServiceListener listener = proxy.bind(handle);
            Backend b = TestHandles.backend(handle, backend.address());
            QueuedBytesProbe probe = new QueuedBytesProbe();
            try (Socket client = new Socket()) {
                client.setReceiveBufferSize(CLIENT_RECEIVE_BUFFER);
                client.setSoTimeout(10_000);
                client.connect(listener.localAddress(), 5_000);
                Channel clientSide = proxy.awaitOnlyConnectionTo(b).clientChannel();
                clientSide.eventLoop().submit(() -> clientSide.pipeline().addFirst(probe)).get(5, TimeUnit.SECONDS);
                // Stalled first: the proxy's queue towards the client fills and reading the backend pauses.
                await().atMost(Duration.ofSeconds(10)).until(() -> !clientSide.isWritable());

                Hashed received = readSlowly(client.getInputStream());

                assertThat(received).as("the whole stream, byte-exact").isEqualTo(sent.get(10, TimeUnit.SECONDS));
            }
            assertThat(backend.errors()).isEmpty();
            System.out.printf("slow reader (%s): largest queue towards the client %d KiB, %d bytes relayed%n",
                    Transports.name(), probe.largest() >> 10, probe.bytes());
            // Netty's io_uring transport reads past auto-read after a FIN as well; PausableReadSizing covers epoll.
            assumeTrue(Transports.epoll(), "the bound holds on epoll; io_uring is not covered");
            assertThat(probe.bytes()).as("bytes relayed towards the client after the probe was added")
                    .isGreaterThan(size / 2);
            // The relay's bound: the read that took the queue over the high-water mark is the last (64 KiB at most),
            // which keeps it within the 2 x high a slow reader may hold.
            assertThat(probe.largest()).as("largest queue towards the client, by buffer capacity")
                    .isGreaterThanOrEqualTo(HIGH_WATER)
                    .isLessThanOrEqualTo(HIGH_WATER + MAX_READ_BYTES)
                    .isLessThanOrEqualTo(2L * HIGH_WATER);
        }
    }

    /** Reads {@link #SLOW_READ_BYTES} at a time with a pause between, to the end; hashes what it read. */
    private static Hashed readSlowly(InputStream in) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[SLOW_READ_BYTES];
        long total = 0;
        for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0; ) {
            sha.update(buf, 0, n);
            total += n;
            Thread.sleep(1);
        }
        return new Hashed(total, HexFormat.of().formatHex(sha.digest()));
    }

    /**
     * Records the size of the channel's outbound queue after every write (its largest is the most the leg held) and
     * the bytes written. Runs on the channel's event loop; read by the test thread once the stream is over.
     */
    private static final class QueuedBytesProbe extends ChannelOutboundHandlerAdapter {
        private volatile long largest;
        private volatile long bytes;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf buf) {
                bytes += buf.readableBytes();
            }
            ctx.write(msg, promise);
            ChannelOutboundBuffer queue = ctx.channel().unsafe().outboundBuffer();
            if (queue != null) {
                largest = Math.max(largest, queue.totalPendingWriteBytes());
            }
        }

        long largest() {
            return largest;
        }

        long bytes() {
            return bytes;
        }
    }
}
