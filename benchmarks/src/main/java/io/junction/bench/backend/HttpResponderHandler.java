package io.junction.bench.backend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * A tiny HTTP/1.x responder: counts request ends (an empty line, CRLF CRLF) across reads and answers each with a
 * fixed 200 response written as a retained duplicate of a shared buffer. It does not parse bodies, which is enough for GET-style load.
 * With {@code closeAfterResponse} it answers only the first request and then closes the connection once the
 * response is written (the backend closes first, as an HTTP server answering {@code Connection: close} does).
 * Event-loop confined (one instance per channel, because it tracks a partial terminator across reads).
 */
final class HttpResponderHandler extends ChannelInboundHandlerAdapter {
    private final ByteBuf response;
    private final boolean closeAfterResponse;
    /** How many bytes of "\r\n\r\n" were matched at the end of the previous read. */
    private int matched;
    private boolean closing;

    HttpResponderHandler(ByteBuf response) {
        this(response, false);
    }

    HttpResponderHandler(ByteBuf response, boolean closeAfterResponse) {
        this.response = response;
        this.closeAfterResponse = closeAfterResponse;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
            for (int i = buf.readerIndex(), end = buf.writerIndex(); i < end && !closing; i++) {
                byte b = buf.getByte(i);
                boolean cr = (matched % 2) == 0;
                if ((cr && b == '\r') || (!cr && b == '\n')) {
                    matched++;
                    if (matched == 4) {
                        matched = 0;
                        if (closeAfterResponse) {
                            closing = true;
                            ctx.writeAndFlush(response.retainedDuplicate()).addListener(ChannelFutureListener.CLOSE);
                        } else {
                            ctx.write(response.retainedDuplicate(), ctx.voidPromise());
                        }
                    }
                } else {
                    matched = b == '\r' ? 1 : 0;
                }
            }
        } finally {
            buf.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
