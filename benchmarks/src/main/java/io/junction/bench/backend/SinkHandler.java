package io.junction.bench.backend;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Discards every read. Thread-safe: stateless and {@link ChannelHandler.Sharable}, so one instance serves all
 * connections.
 */
@ChannelHandler.Sharable
final class SinkHandler extends ChannelInboundHandlerAdapter {
    static final SinkHandler INSTANCE = new SinkHandler();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets from clients that stop mid-stream are the normal end of a run.
        ctx.close();
    }
}
