package io.junction.core.forward.tcp;

import io.junction.core.forward.Transports;
import io.junction.core.metrics.FailureReason;
import io.junction.core.model.SpliceMode;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.junction.core.state.ServiceSnapshot;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sets up each accepted client connection: enforces the listener's connection limit, applies the settings of the
 * snapshot current at accept time (one volatile read) and installs the frontend handler (the connection runs its own idle timer).
 *
 * <p>Thread-safe (shared by every worker loop); each call runs on the accepted channel's event loop.
 */
final class TcpChannelInitializer extends ChannelInitializer<SocketChannel> {
    private static final Logger log = LoggerFactory.getLogger(TcpChannelInitializer.class);

    private final ServiceHandle handle;
    private final AtomicInteger active;
    private final AtomicBoolean spliceUnavailableLogged = new AtomicBoolean();

    TcpChannelInitializer(ServiceHandle handle, AtomicInteger active) {
        this.handle = handle;
        this.active = active;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ServiceSnapshot snapshot = handle.current();
        TcpSettings tcp = snapshot.spec().tcp();
        if (active.incrementAndGet() > tcp.maxConnections()) {
            active.decrementAndGet();
            handle.metrics().onFailure(FailureReason.CONNECTION_LIMIT);
            TcpConnection.logRejected(handle, ch, FailureReason.CONNECTION_LIMIT);
            ch.close();
            return;
        }
        if (tcp.splice() != SpliceMode.OFF && !Transports.epoll() && spliceUnavailableLogged.compareAndSet(false, true)) {
            log.info("event=splice_unavailable service={} splice={} transport={} using=relay", handle.key(),
                    tcp.splice().configName(), Transports.name());
        }
        ch.config().setWriteBufferWaterMark(waterMark(tcp));
        TcpConnection connection = new TcpConnection(ch, handle, tcp, active);
        ch.pipeline().addLast(new TcpFrontendHandler(connection, snapshot.picker()));
    }

    /** The write-buffer water marks of both legs of a connection. */
    static WriteBufferWaterMark waterMark(TcpSettings tcp) {
        return new WriteBufferWaterMark(tcp.writeBufferLowWaterMark(), tcp.writeBufferHighWaterMark());
    }
}
