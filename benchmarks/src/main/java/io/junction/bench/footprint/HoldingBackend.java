package io.junction.bench.footprint;

import io.junction.core.forward.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * A TCP backend on 127.0.0.1 that accepts connections, discards what it reads and keeps every connection open until
 * the peer closes it, counting accepts, closes and bytes so a run can wait for "all N connected and delivered their
 * first message" and for "all closed". Thread-safe: the counters are updated on the backend's event loop and read
 * from any thread.
 */
final class HoldingBackend implements AutoCloseable {
    private final Channel server;
    private final Counting counting;

    private HoldingBackend(Channel server, Counting counting) {
        this.server = server;
        this.counting = counting;
    }

    static HoldingBackend start(EventLoopGroup group) throws InterruptedException {
        Counting counting = new Counting();
        Channel ch = new ServerBootstrap().group(group).channel(Transports.serverSocketChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(counting)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        return new HoldingBackend(ch, counting);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    long accepted() {
        return counting.accepted.sum();
    }

    long closed() {
        return counting.closed.sum();
    }

    long open() {
        return accepted() - closed();
    }

    long bytesRead() {
        return counting.bytes.sum();
    }

    /** Closes the listening socket; accepted connections close when their peers do or with the event-loop group. */
    @Override
    public void close() {
        server.close().syncUninterruptibly();
    }

    /** Counts and discards. Sharable and stateless apart from the thread-safe adders. */
    @ChannelHandler.Sharable
    private static final class Counting extends ChannelInboundHandlerAdapter {
        final LongAdder accepted = new LongAdder();
        final LongAdder closed = new LongAdder();
        final LongAdder bytes = new LongAdder();

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            accepted.increment();
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed.increment();
            ctx.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf) {
                bytes.add(buf.readableBytes());
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A reset from a closing peer is the normal end of a run.
            ctx.close();
        }
    }
}
