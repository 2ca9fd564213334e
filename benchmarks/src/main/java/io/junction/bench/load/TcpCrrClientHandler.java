package io.junction.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

/**
 * One {@code tcp-crr} connection: sends the request when active, closes once the whole echo has arrived and
 * reports the outcome to its {@link TcpCrrLoad.Loop} when the channel is inactive (so the next connect starts only
 * after this one is closed). Event-loop confined; the connect start time travels in a channel attribute.
 */
final class TcpCrrClientHandler extends ChannelInboundHandlerAdapter {
    static final AttributeKey<Long> START = AttributeKey.valueOf("junction.bench.crr.start");

    private final ByteBuf payload;
    private final TcpCrrLoad.Loop loop;
    private final int size;
    private int pending;
    private boolean answered;

    /** The connect start time the loop stored on {@code ch}, or {@code fallback} when there is none. */
    static long start(Channel ch, long fallback) {
        Long s = ch.attr(START).get();
        return s == null ? fallback : s;
    }

    TcpCrrClientHandler(ByteBuf payload, TcpCrrLoad.Loop loop) {
        this.payload = payload;
        this.loop = loop;
        this.size = payload.readableBytes();
        this.pending = size;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // START is set by the connect listener on this same loop; it is read when the answer is complete.
        ctx.writeAndFlush(payload.retainedDuplicate(), ctx.voidPromise());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            pending -= buf.readableBytes();
        }
        ReferenceCountUtil.release(msg);
        if (!answered && pending <= 0) {
            answered = true;
            long end = System.nanoTime();
            long start = start(ctx.channel(), end);
            // Latency ends at the last answer byte; the loop moves on only once the close is done.
            ctx.close().addListener(f -> loop.finished(start, end, true, size, size));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!answered) {
            answered = true;
            long end = System.nanoTime();
            loop.finished(start(ctx.channel(), end), end, false, 0, 0);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
