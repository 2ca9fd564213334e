package io.junction.core.forward.tcp;

import io.junction.core.clock.NanoClock;
import io.junction.core.lb.Backend;
import io.junction.core.metrics.FailureReason;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.junction.core.testing.TestHandles;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link TcpConnection}'s relay and bookkeeping on embedded channels, without sockets. */
class TcpConnectionTest {

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Test
    void relaysTheSameBuffersHoldsEarlyBytesAndCountsOnce() {
        EmbeddedChannel client = new EmbeddedChannel();
        EmbeddedChannel backendChannel = new EmbeddedChannel();
        ServiceHandle handle = TestHandles.tcp(List.of(new InetSocketAddress("127.0.0.1", 9)));
        Backend backend = handle.current().eligible().get(0);
        AtomicInteger listenerActive = new AtomicInteger(1);
        TcpConnection connection = new TcpConnection(client, handle, TcpSettings.DEFAULTS, listenerActive, NanoClock.SYSTEM);

        // Bytes read before the backend connected are held, in order, and sent first.
        connection.onClientRead(bytes("ab"));
        connection.onClientRead(bytes("cd"));
        connection.backendConnected(backendChannel, backend);
        ByteBuf early = backendChannel.readOutbound();
        assertThat(early.toString(StandardCharsets.US_ASCII)).isEqualTo("abcd");
        early.release();
        assertThat(connection.backendChannel()).isSameAs(backendChannel);
        assertThat(connection.backend()).isSameAs(backend);
        assertThat(backend.activeConnections()).isEqualTo(1);

        // Afterwards each buffer is passed through as is, no copy.
        ByteBuf up = bytes("ef");
        connection.onClientRead(up);
        connection.onClientReadComplete();
        ByteBuf relayedUp = backendChannel.readOutbound();
        assertThat(relayedUp).isSameAs(up);
        relayedUp.release();
        ByteBuf down = bytes("reply");
        connection.onBackendRead(down);
        connection.onBackendReadComplete();
        ByteBuf relayedDown = client.readOutbound();
        assertThat(relayedDown).isSameAs(down);
        relayedDown.release();

        assertThat(handle.metrics().bytesToBackend()).isEqualTo(6);
        assertThat(handle.metrics().bytesToClient()).isEqualTo(5);
        assertThat(backend.bytesToBackend()).isEqualTo(6);
        assertThat(backend.bytesFromBackend()).isEqualTo(5);

        connection.teardown().onIdle();
        assertThat(client.isOpen()).isFalse();
        assertThat(backendChannel.isOpen()).isFalse();
        connection.teardown().onInactive(client);
        connection.teardown().onInactive(client); // bookkeeping happens once
        assertThat(handle.metrics().failures(FailureReason.IDLE_TIMEOUT)).isEqualTo(1);
        assertThat(handle.metrics().connectionsActive()).isZero();
        assertThat(backend.activeConnections()).isZero();
        assertThat(listenerActive.get()).isZero();
        assertThat(client.finishAndReleaseAll()).isFalse();
        assertThat(backendChannel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void theClientIsPausedWhileHeldBytesReachTheHighWaterMarkAndResumedOnConnect() {
        EmbeddedChannel client = new EmbeddedChannel();
        EmbeddedChannel backendChannel = new EmbeddedChannel();
        ServiceHandle handle = TestHandles.tcp(List.of(new InetSocketAddress("127.0.0.1", 9)));
        Backend backend = handle.current().eligible().get(0);
        TcpSettings tcp = TcpSettings.DEFAULTS;
        TcpConnection connection = new TcpConnection(client, handle, tcp, new AtomicInteger(1), NanoClock.SYSTEM);
        int chunk = tcp.writeBufferHighWaterMark() / 4;

        for (int i = 0; i < 3; i++) {
            connection.onClientRead(Unpooled.wrappedBuffer(new byte[chunk]));
        }
        assertThat(client.config().isAutoRead()).as("below the high-water mark").isTrue();
        connection.onClientRead(Unpooled.wrappedBuffer(new byte[chunk]));
        assertThat(client.config().isAutoRead()).as("at the high-water mark").isFalse();

        connection.backendConnected(backendChannel, backend);
        assertThat(client.config().isAutoRead()).isTrue();
        ByteBuf held = backendChannel.readOutbound();
        assertThat(held.readableBytes()).isEqualTo(4 * chunk);
        held.release();
        connection.teardown().onIdle();
        connection.teardown().onInactive(client);
        assertThat(client.finishAndReleaseAll()).isFalse();
        assertThat(backendChannel.finishAndReleaseAll()).isFalse();
    }

    /**
     * Both legs read into buffers of at least 2 KiB, so a client trickling 64-byte messages hands over 2 KiB per
     * message: what is held counts by the buffers' capacity, before the backend connects and after, so the high-water
     * mark bounds memory rather than bytes (counted by bytes, 32 times as much memory could pile up).
     */
    @Test
    void smallReadsInLargeBuffersCountTheMemoryTheyHoldTowardsTheHighWaterMark() {
        EmbeddedChannel client = new EmbeddedChannel();
        EmbeddedChannel backendChannel = new EmbeddedChannel();
        ServiceHandle handle = TestHandles.tcp(List.of(new InetSocketAddress("127.0.0.1", 9)));
        Backend backend = handle.current().eligible().get(0);
        TcpSettings tcp = TcpSettings.DEFAULTS;
        backendChannel.config().setWriteBufferWaterMark(TcpChannelInitializer.waterMark(tcp));
        backendChannel.config().setMessageSizeEstimator(HeldMemoryEstimator.INSTANCE);
        TcpConnection connection = new TcpConnection(client, handle, tcp, new AtomicInteger(1), NanoClock.SYSTEM);
        int buffers = tcp.writeBufferHighWaterMark() / TcpChannelInitializer.MIN_READ_BYTES;

        // Held while the backend connect is under way.
        for (int i = 0; i < buffers - 1; i++) {
            connection.onClientRead(smallRead());
        }
        assertThat(client.config().isAutoRead()).as("%d KiB held", (buffers - 1) * 2).isTrue();
        connection.onClientRead(smallRead());
        assertThat(client.config().isAutoRead()).as("%d KiB held", buffers * 2).isFalse();

        // Queued on a backend that takes nothing (written, never flushed out).
        connection.backendConnected(backendChannel, backend);
        ByteBuf held = backendChannel.readOutbound();
        assertThat(held.readableBytes()).isEqualTo(buffers * 64);
        held.release();
        assertThat(client.config().isAutoRead()).isTrue();
        for (int i = 0; i < buffers; i++) {
            connection.onClientRead(smallRead());
        }
        assertThat(backendChannel.isWritable()).as("%d reads of 64 bytes queued", buffers).isFalse();
        assertThat(client.config().isAutoRead()).isFalse();

        backendChannel.flushOutbound();
        assertThat(backendChannel.releaseOutbound()).isTrue();
        connection.teardown().onIdle();
        connection.teardown().onInactive(client);
        assertThat(client.finishAndReleaseAll()).isFalse();
        assertThat(backendChannel.finishAndReleaseAll()).isFalse();
    }

    /** 64 bytes read into a buffer of the smallest read size. */
    private static ByteBuf smallRead() {
        return Unpooled.buffer(TcpChannelInitializer.MIN_READ_BYTES).writeBytes(new byte[64]);
    }

    @Test
    void failedConnectReleasesHeldBytesAndClosesTheClient() {
        EmbeddedChannel client = new EmbeddedChannel();
        ServiceHandle handle = TestHandles.tcp(List.of());
        AtomicInteger listenerActive = new AtomicInteger(1);
        TcpConnection connection = new TcpConnection(client, handle, TcpSettings.DEFAULTS, listenerActive, NanoClock.SYSTEM);
        ByteBuf held = bytes("lost");
        connection.onClientRead(held);

        connection.teardown().connectFailed(FailureReason.CONNECT_FAILED);
        connection.teardown().onInactive(client);

        assertThat(client.isOpen()).isFalse();
        assertThat(held.refCnt()).isZero();
        assertThat(handle.metrics().failures(FailureReason.CONNECT_FAILED)).isEqualTo(1);
        assertThat(listenerActive.get()).isZero();
        assertThat(client.finishAndReleaseAll()).isFalse();
    }
}
