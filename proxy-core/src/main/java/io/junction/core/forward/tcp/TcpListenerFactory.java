package io.junction.core.forward.tcp;

import io.junction.core.clock.NanoClock;
import io.junction.core.forward.DescriptorBudget;
import io.junction.core.forward.EventLoops;
import io.junction.core.forward.Transports;
import io.junction.core.state.ListenerFactory;
import io.junction.core.state.ServiceHandle;
import io.junction.core.state.ServiceListener;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ChannelOption;
import io.netty.channel.ServerChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.channel.unix.UnixChannel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Binds TCP listeners. With epoll or io_uring a service gets one {@code SO_REUSEPORT} server socket per worker loop,
 * each accepting onto its own loop: the kernel spreads new connections over the sockets, and a connection never
 * changes threads between accept and close (no acceptor hand-off, which costs a wake-up per connection). With NIO a
 * single server socket on the acceptor group hands connections to the workers. Accepted sockets read from the start:
 * what the client sends while the backend connect is under way is held (bounded) by the connection.
 *
 * <p>Thread-safe; {@link #bind} is called by the control thread and blocks it until the socket is bound.
 */
public final class TcpListenerFactory implements ListenerFactory {
    private final EventLoops loops;
    private final NanoClock clock;
    private final DescriptorBudget budget;

    /** A factory whose connections draw on this process's descriptor budget. */
    public TcpListenerFactory(EventLoops loops) {
        this(loops, NanoClock.COARSE, DescriptorBudget.ofProcess());
    }

    /** @param budget the node-wide descriptor budget every listener's connections draw on */
    public TcpListenerFactory(EventLoops loops, DescriptorBudget budget) {
        this(loops, NanoClock.COARSE, budget);
    }

    /** @param clock what connections measure their idle time with ({@link NanoClock#COARSE} outside tests) */
    public TcpListenerFactory(EventLoops loops, NanoClock clock) {
        this(loops, clock, DescriptorBudget.ofProcess());
    }

    /**
     * @param clock  what connections measure their idle time with ({@link NanoClock#COARSE} outside tests)
     * @param budget the node-wide descriptor budget every listener's connections draw on
     */
    public TcpListenerFactory(EventLoops loops, NanoClock clock, DescriptorBudget budget) {
        this.loops = Objects.requireNonNull(loops, "loops");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.budget = Objects.requireNonNull(budget, "budget");
    }

    @Override
    public ServiceListener bind(ServiceHandle handle) {
        Objects.requireNonNull(handle, "handle");
        InetSocketAddress listen = handle.current().spec().listen();
        AtomicInteger active = new AtomicInteger();
        TcpChannelInitializer initializer = new TcpChannelInitializer(handle, active, clock, budget);
        AcceptPause acceptPause = new AcceptPause(handle, budget);
        List<Channel> channels = new ArrayList<>();
        try {
            if (Transports.isNative()) {
                InetSocketAddress address = listen;
                for (EventLoop loop : loops.listenerLoops()) {
                    Channel ch = bindOne(handle, address, loop, loop, initializer, acceptPause, true);
                    channels.add(ch);
                    // The other sockets must share the port the kernel chose for the first one.
                    address = new InetSocketAddress(listen.getAddress(),
                            ((InetSocketAddress) ch.localAddress()).getPort());
                }
            } else {
                channels.add(bindOne(handle, listen, loops.acceptors(), loops.workers(), initializer, acceptPause, false));
            }
        } catch (RuntimeException e) {
            channels.forEach(c -> c.close().awaitUninterruptibly());
            throw e;
        }
        return new TcpListener(channels, active);
    }

    /**
     * With the native transports, keepalive is set once on the listening socket: Linux copies it to every socket
     * accepted from it, which spares a setsockopt per connection. Netty's server channel config has no keepalive
     * option, hence the fd.
     */
    private static void keepAliveChildren(ServerChannel ch) {
        if (ch instanceof UnixChannel unix && unix.fd() instanceof Socket socket) {
            try {
                socket.setKeepAlive(true);
            } catch (IOException e) {
                throw new UncheckedIOException("SO_KEEPALIVE on a listening socket: " + e.getMessage(), e);
            }
        }
    }

    private static Channel bindOne(ServiceHandle handle, InetSocketAddress address, EventLoopGroup acceptor,
                                   EventLoopGroup children, TcpChannelInitializer initializer,
                                   AcceptPause acceptPause, boolean reusePort) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, children)
                .channelFactory(Transports.serverSocketChannelFactory(address, TcpListenerFactory::keepAliveChildren))
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                // Before Netty's acceptor on the server channel: it takes accept failures for lack of descriptors.
                .handler(acceptPause)
                // No TCP_NODELAY option: Netty's epoll and NIO socket configs enable it on every new channel already,
                // and setting it again would cost one more setsockopt per connection leg.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                // Water marks are set by the initializer, from the spec current at accept time.
                .childHandler(initializer);
        if (reusePort) {
            bootstrap.option(UnixChannelOption.SO_REUSEPORT, true);
        }
        if (!Transports.isNative()) {
            bootstrap.childOption(ChannelOption.SO_KEEPALIVE, true);
        }
        ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            Throwable cause = bound.cause();
            String message = "bind " + address + " failed for service " + handle.key() + ": " + cause.getMessage();
            throw new UncheckedIOException(message,
                    cause instanceof IOException io ? io : new IOException(message, cause));
        }
        return bound.channel();
    }
}
