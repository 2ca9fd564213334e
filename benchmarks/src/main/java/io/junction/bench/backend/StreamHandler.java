package io.junction.bench.backend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The {@code stream} backend for one connection: the first byte chooses the {@link StreamDirection}; afterwards all
 * reads are discarded and, when the backend sends, a retained duplicate of a shared chunk is written whenever the channel is
 * writable. Event-loop confined (one instance per channel).
 */
final class StreamHandler extends ChannelInboundHandlerAdapter {
    /** Writes per pump before yielding, so one fast connection cannot starve the others on the same loop. */
    private static final int WRITES_PER_PUMP = 16;

    private final ByteBuf chunk;
    private StreamDirection direction;

    StreamHandler(ByteBuf chunk) {
        this.chunk = chunk;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (direction == null && msg instanceof ByteBuf buf && buf.isReadable()) {
            direction = StreamDirection.fromHeader(buf.readByte());
            if (direction == null) {
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            if (direction.backendSends()) {
                pump(ctx);
            }
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (direction != null && direction.backendSends()) {
            pump(ctx);
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void pump(ChannelHandlerContext ctx) {
        int writes = 0;
        while (ctx.channel().isActive() && ctx.channel().isWritable() && writes < WRITES_PER_PUMP) {
            ctx.write(chunk.retainedDuplicate(), ctx.voidPromise());
            writes++;
        }
        ctx.flush();
        if (writes == WRITES_PER_PUMP && ctx.channel().isWritable()) {
            ctx.executor().execute(() -> pump(ctx));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
