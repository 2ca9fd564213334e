package io.junction.bench.backend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The {@code raw-close} backend for one connection: once {@code requestBytes} have arrived (in any number of reads)
 * it writes the response (a retained duplicate of a shared buffer) and closes when the write is done, so the
 * backend's FIN is the first one on the connection. Everything read is discarded. Event-loop confined (one instance
 * per channel).
 */
final class RawCloseHandler extends ChannelInboundHandlerAdapter {
    private final ByteBuf response;
    private final int requestBytes;
    private long received;
    private boolean answered;

    RawCloseHandler(ByteBuf response, int requestBytes) {
        this.response = response;
        this.requestBytes = requestBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            received += buf.readableBytes();
        }
        ReferenceCountUtil.release(msg);
        if (!answered && received >= requestBytes) {
            answered = true;
            // The whole request has been read, so closing sends a FIN (unread input would turn it into a reset).
            ctx.writeAndFlush(response.retainedDuplicate()).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
