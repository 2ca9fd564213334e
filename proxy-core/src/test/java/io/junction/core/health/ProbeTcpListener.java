package io.junction.core.health;

import io.junction.core.forward.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
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
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP listener on 127.0.0.1 that accepts and never writes (what a TCP probe needs to pass, and a server that hangs
 * an HTTP probe), or closes at once, or answers the first bytes it reads with fixed ones and closes (a scripted HTTP
 * server). Counts accepted connections, the ones open now and the ones that ended in a reset. Thread-safe.
 */
final class ProbeTcpListener implements AutoCloseable {
    private static final EventLoopGroup GROUP = Transports.newEventLoopGroup(1, "test-probe-listener");

    private final boolean closeAtOnce;
    private final String reply;
    private final Channel server;
    private final ChannelGroup open = new DefaultChannelGroup("probe-listener", GlobalEventExecutor.INSTANCE);
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger resets = new AtomicInteger();

    private ProbeTcpListener(int port, boolean closeAtOnce, String reply) {
        this.closeAtOnce = closeAtOnce;
        this.reply = reply;
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
        return new ProbeTcpListener(0, false, null);
    }

    /** As {@link #silent()}, on {@code port}. */
    static ProbeTcpListener silentOn(int port) {
        return new ProbeTcpListener(port, false, null);
    }

    /** Closes every connection as soon as it is accepted. */
    static ProbeTcpListener closingAtOnce() {
        return new ProbeTcpListener(0, true, null);
    }

    /** Answers each connection's first read with {@code text} (ASCII) and closes. */
    static ProbeTcpListener answering(String text) {
        return new ProbeTcpListener(0, false, text);
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
            ReferenceCountUtil.release(msg);
            if (reply != null) {
                ctx.writeAndFlush(Unpooled.copiedBuffer(reply, StandardCharsets.US_ASCII))
                        .addListener(ChannelFutureListener.CLOSE);
            }
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
