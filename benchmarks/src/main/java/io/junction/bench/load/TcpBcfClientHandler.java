package io.junction.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * One {@code tcp-bcf} connection (the backend closes first): sends the request when active, reads until the
 * server's FIN arrives (the channel allows half-closure, so the EOF shows up as a {@link ChannelInputShutdownEvent}),
 * judges what it got, closes, and reports to its {@link TcpCrrLoad.Loop} once the close is done. The transaction ends
 * at the EOF. A close or reset before the EOF, or a response that is short, long or not a 200, is an error.
 * Event-loop confined.
 */
final class TcpBcfClientHandler extends ChannelInboundHandlerAdapter {
    private final ByteBuf request;
    private final TcpCrrLoad.Loop loop;
    private final BcfFlavor flavor;
    private final int rawResponseSize;
    private final TcpCrrLoad.Failures failures;
    /** HTTP flavour: the first bytes of the response, enough for the status line and headers. */
    private ByteBuf head;
    private long received;
    private boolean done;

    TcpBcfClientHandler(ByteBuf request, TcpCrrLoad.Loop loop, BcfFlavor flavor, int rawResponseSize,
                        TcpCrrLoad.Failures failures) {
        this.request = request;
        this.loop = loop;
        this.flavor = flavor;
        this.rawResponseSize = rawResponseSize;
        this.failures = failures;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(request.retainedDuplicate(), ctx.voidPromise());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            received += buf.readableBytes();
            if (flavor == BcfFlavor.HTTP) {
                if (head == null) {
                    head = ctx.alloc().heapBuffer(Math.min(HttpResponseCheck.MAX_HEAD, 512), HttpResponseCheck.MAX_HEAD);
                }
                head.writeBytes(buf, buf.readerIndex(), Math.min(buf.readableBytes(), head.maxWritableBytes()));
            }
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && !done) {
            done = true;
            long end = System.nanoTime();
            String problem = verdict();
            long start = TcpCrrClientHandler.start(ctx.channel(), end);
            int sent = request.readableBytes();
            long in = received;
            if (problem != null) {
                failures.report(problem);
            }
            ctx.close().addListener(f -> loop.finished(start, end, problem == null, sent, in));
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** Null when the response is complete, otherwise what is wrong with it. */
    private String verdict() {
        if (flavor == BcfFlavor.RAW) {
            return received == rawResponseSize ? null
                    : "raw response of " + received + " bytes (expected: " + rawResponseSize + ")";
        }
        HttpResponseCheck.Verdict v = head == null ? HttpResponseCheck.Verdict.EMPTY
                : HttpResponseCheck.check(head, received);
        return v == HttpResponseCheck.Verdict.COMPLETE ? null
                : "HTTP response " + v.name().toLowerCase() + " (" + received + " bytes)";
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!done) {
            done = true;
            long end = System.nanoTime();
            loop.finished(TcpCrrClientHandler.start(ctx.channel(), end), end, false, 0, 0);
        }
        if (head != null) {
            head.release();
            head = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!done) {
            failures.report(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
        ctx.close();
    }
}
