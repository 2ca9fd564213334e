package io.junction.core.forward.tcp;

import io.junction.core.clock.NanoClock;
import io.junction.core.lb.Backend;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A connected {@link TcpConnection} between two {@link EmbeddedChannel}s, without sockets: the relay step alone.
 * Public so that the benchmarks module can drive the package-private relay from its own packages.
 *
 * <p>Not thread-safe: embedded channels run on the calling thread.
 */
public final class EmbeddedRelay implements AutoCloseable {
    private final EmbeddedChannel client = new EmbeddedChannel();
    private final EmbeddedChannel backendChannel = new EmbeddedChannel();
    private final TcpConnection connection;

    private EmbeddedRelay(ServiceHandle handle, Backend backend, TcpSettings tcp) {
        connection = new TcpConnection(client, handle, tcp, new AtomicInteger(1), NanoClock.SYSTEM);
        connection.backendConnected(backendChannel, backend);
    }

    /** A relay of {@code handle}'s service already connected to {@code backend}. */
    public static EmbeddedRelay connected(ServiceHandle handle, Backend backend, TcpSettings tcp) {
        return new EmbeddedRelay(handle, backend, tcp);
    }

    /** One read on the client side, as the event loop hands it over: the read, then read-complete. */
    public void clientRead(ByteBuf buf) {
        connection.onClientRead(buf);
        connection.onClientReadComplete();
    }

    /** The next buffer written to the backend channel, or null (the caller releases it). */
    public ByteBuf writtenToBackend() {
        return backendChannel.readOutbound();
    }

    @Override
    public void close() {
        connection.teardown().onIdle();
        connection.teardown().onInactive(client);
        client.finishAndReleaseAll();
        backendChannel.finishAndReleaseAll();
    }
}
