package io.junction.core.forward.tcp;

import io.junction.core.forward.EventLoops;
import io.junction.core.forward.ListenerFactory;
import io.junction.core.forward.ServiceListener;
import io.junction.core.forward.Transports;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Binds TCP listeners: one server socket per service on the shared acceptor group, with accepted connections handed
 * to the worker group. Accepted sockets start with auto-read off; the frontend handler reads only once a backend is
 * connected and only while the other side can take more bytes.
 *
 * <p>Thread-safe; {@link #bind} is called by the control thread and blocks it until the socket is bound.
 */
public final class TcpListenerFactory implements ListenerFactory {
    private final EventLoops loops;

    public TcpListenerFactory(EventLoops loops) {
        this.loops = Objects.requireNonNull(loops, "loops");
    }

    @Override
    public ServiceListener bind(ServiceHandle handle) {
        Objects.requireNonNull(handle, "handle");
        InetSocketAddress listen = handle.current().spec().listen();
        TcpSettings tcp = handle.current().spec().tcp();
        AtomicInteger active = new AtomicInteger();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.acceptors(), loops.workers())
                .channel(Transports.serverSocketChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                // The initializer re-applies the water marks of the spec current at accept time.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(tcp.writeBufferLowWaterMark(), tcp.writeBufferHighWaterMark()))
                .childHandler(new TcpChannelInitializer(handle, active));
        ChannelFuture bound = bootstrap.bind(listen).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            Throwable cause = bound.cause();
            String message = "bind " + listen + " failed for service " + handle.key() + ": " + cause.getMessage();
            throw new UncheckedIOException(message,
                    cause instanceof IOException io ? io : new IOException(message, cause));
        }
        return new TcpListener(bound.channel(), active);
    }
}
