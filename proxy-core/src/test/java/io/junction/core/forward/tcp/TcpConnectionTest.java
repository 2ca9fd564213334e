package io.junction.core.forward.tcp;

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
        TcpConnection connection = new TcpConnection(client, handle, TcpSettings.DEFAULTS, listenerActive);

        // Bytes read before the backend connected are held, in order, and sent first.
        connection.onClientRead(bytes("ab"));
        connection.onClientRead(bytes("cd"));
        connection.backendConnected(backendChannel, backend);
        ByteBuf early = backendChannel.readOutbound();
        assertThat(early.toString(StandardCharsets.US_ASCII)).isEqualTo("abcd");
        early.release();
        assertThat(TcpConnections.backendChannel(client)).isSameAs(backendChannel);
        assertThat(backend.connections().contains(client)).isTrue();

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

        connection.onIdle();
        assertThat(client.isOpen()).isFalse();
        assertThat(backendChannel.isOpen()).isFalse();
        connection.onInactive(client);
        connection.onInactive(client); // bookkeeping happens once
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
        TcpConnection connection = new TcpConnection(client, handle, tcp, new AtomicInteger(1));
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
        connection.abortBoth(null);
        connection.onInactive(client);
        assertThat(client.finishAndReleaseAll()).isFalse();
        assertThat(backendChannel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void failedConnectReleasesHeldBytesAndClosesTheClient() {
        EmbeddedChannel client = new EmbeddedChannel();
        ServiceHandle handle = TestHandles.tcp(List.of());
        AtomicInteger listenerActive = new AtomicInteger(1);
        TcpConnection connection = new TcpConnection(client, handle, TcpSettings.DEFAULTS, listenerActive);
        ByteBuf held = bytes("lost");
        connection.onClientRead(held);

        connection.connectFailed(FailureReason.CONNECT_FAILED);
        connection.onInactive(client);

        assertThat(client.isOpen()).isFalse();
        assertThat(held.refCnt()).isZero();
        assertThat(handle.metrics().failures(FailureReason.CONNECT_FAILED)).isEqualTo(1);
        assertThat(listenerActive.get()).isZero();
        assertThat(client.finishAndReleaseAll()).isFalse();
    }
}
