package io.junction.core.testing;

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
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Netty TCP echo backend on 127.0.0.1, port 0, using the proxy's transport (epoll or NIO). Echoes every byte,
 * stops reading while its client does not read (so it never buffers without bound), and answers a FIN with a FIN
 * once everything is echoed. Counts accepted connections.
 *
 * <p>Thread-safe.
 */
public final class TcpEchoServer implements AutoCloseable {
    /**
     * One daemon loop shared by every echo server in the JVM and never shut down: creating and shutting down a loop
     * per server costs threads and epoll instances for nothing in tests that start dozens of servers.
     */
    private static final EventLoopGroup GROUP = Transports.newEventLoopGroup(1, "test-tcp-echo");
    private final AtomicInteger accepted = new AtomicInteger();
    private final ChannelGroup channels = new DefaultChannelGroup("echo", GlobalEventExecutor.INSTANCE);
    private final Channel serverChannel;

    public TcpEchoServer() {
        serverChannel = new ServerBootstrap()
                .group(GROUP)
                .channel(Transports.serverSocketChannel())
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new EchoHandler())
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .syncUninterruptibly()
                .channel();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** Connections open now. */
    public int active() {
        return channels.size();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @ChannelHandler.Sharable
    private final class EchoHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            accepted.incrementAndGet();
            channels.add(ctx.channel());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
            if (!ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(true);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f ->
                        ((DuplexChannel) f.channel()).shutdownOutput().addListener(ChannelFutureListener.CLOSE));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
