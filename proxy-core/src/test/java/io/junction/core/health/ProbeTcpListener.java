package io.junction.core.health;

import io.junction.core.forward.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP listener on 127.0.0.1 that accepts and never writes: what a TCP probe needs to pass, and a server that hangs
 * an HTTP probe. Counts accepted connections, the ones open now and the ones that ended in a reset. Thread-safe.
 */
final class ProbeTcpListener implements AutoCloseable {
    private static final EventLoopGroup GROUP = Transports.newEventLoopGroup(1, "test-probe-listener");

    private final boolean closeAtOnce;
    private final Channel server;
    private final ChannelGroup open = new DefaultChannelGroup("probe-listener", GlobalEventExecutor.INSTANCE);
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger resets = new AtomicInteger();

    private ProbeTcpListener(int port, boolean closeAtOnce) {
        this.closeAtOnce = closeAtOnce;
        server = new ServerBootstrap()
                .group(GROUP)
                .channel(Transports.serverSocketChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new Accepted())
                .bind(new InetSocketAddress("127.0.0.1", port))
                .syncUninterruptibly()
                .channel();
    }

    /** Accepts and holds every connection, silent. */
    static ProbeTcpListener silent() {
        return new ProbeTcpListener(0, false);
    }

    /** As {@link #silent()}, on {@code port}. */
    static ProbeTcpListener silentOn(int port) {
        return new ProbeTcpListener(port, false);
    }

    /** Closes every connection as soon as it is accepted. */
    static ProbeTcpListener closingAtOnce() {
        return new ProbeTcpListener(0, true);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    int accepted() {
        return accepted.get();
    }

    int open() {
        return open.size();
    }

    int resets() {
        return resets.get();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        open.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @ChannelHandler.Sharable
    private final class Accepted extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            accepted.incrementAndGet();
            open.add(ctx.channel());
            if (closeAtOnce) {
                ctx.close();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg); // read and ignored: this backend never answers
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT).contains("reset")) {
                resets.incrementAndGet();
            }
            ctx.close();
        }
    }
}
