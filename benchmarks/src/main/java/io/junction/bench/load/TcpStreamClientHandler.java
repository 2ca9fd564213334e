package io.junction.bench.load;

import io.junction.bench.backend.StreamDirection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Client side of one {@code tcp-stream} connection: sends the direction header, then writes retained duplicates of
 * a shared chunk while the channel is writable, and counts (then releases) what it reads. Event-loop confined.
 */
final class TcpStreamClientHandler extends ChannelInboundHandlerAdapter {
    private static final int WRITES_PER_PUMP = 16;

    private final ByteBuf chunk;
    private final StreamDirection direction;
    private final LoadControl control;
    private final Tally tally;

    TcpStreamClientHandler(ByteBuf chunk, StreamDirection direction, LoadControl control, Tally tally) {
        this.chunk = chunk;
        this.direction = direction;
        this.control = control;
        this.tally = tally;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {direction.header()}), ctx.voidPromise());
        if (direction.clientSends()) {
            pump(ctx);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf && control.inWindow(System.nanoTime())) {
            tally.bytesIn.add(buf.readableBytes());
        }
        ReferenceCountUtil.release(msg);
        if (!direction.clientSends() && !control.acquire()) {
            ctx.close();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (direction.clientSends()) {
            pump(ctx);
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void pump(ChannelHandlerContext ctx) {
        int writes = 0;
        int size = chunk.readableBytes();
        while (ctx.channel().isActive() && ctx.channel().isWritable() && writes < WRITES_PER_PUMP) {
            if (!control.acquire()) {
                break;
            }
            ctx.write(chunk.retainedDuplicate(), ctx.voidPromise());
            if (control.inWindow(System.nanoTime())) {
                tally.bytesOut.add(size);
            }
            writes++;
        }
        ctx.flush();
        if (writes == WRITES_PER_PUMP && ctx.channel().isWritable()) {
            ctx.executor().execute(() -> pump(ctx));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!control.stopping()) {
            tally.errors.increment();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
