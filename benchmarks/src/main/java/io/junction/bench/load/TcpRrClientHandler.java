package io.junction.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@code tcp-rr} connection: writes a request (a retained duplicate of the shared payload), waits until the
 * same number of bytes has come back, records the latency and sends the next one. Event-loop confined.
 */
final class TcpRrClientHandler extends ChannelInboundHandlerAdapter {
    private final ByteBuf payload;
    private final long intervalNanos;
    private final LoadControl control;
    private final Tally tally;
    private final AtomicInteger inFlight;
    private final int size;

    /** Intended start of the current (or next) request: the schedule with a rate, the send time without. */
    private long intended;
    private int pending;
    private boolean busy;

    TcpRrClientHandler(ByteBuf payload, long intervalNanos, long firstStart, LoadControl control, Tally tally,
                       AtomicInteger inFlight) {
        this.payload = payload;
        this.intervalNanos = intervalNanos;
        this.intended = firstStart;
        this.control = control;
        this.tally = tally;
        this.inFlight = inFlight;
        this.size = payload.readableBytes();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        sendNext(ctx);
        ctx.fireChannelActive();
    }

    private void sendNext(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        if (intervalNanos > 0 && intended > now) {
            // Ahead of schedule: wait for the intended start. Behind schedule: send at once, but keep measuring
            // from the intended start so queueing delay shows up in the latency.
            ctx.executor().schedule(() -> sendNext(ctx), intended - now, TimeUnit.NANOSECONDS);
            return;
        }
        if (!control.acquire()) {
            return;
        }
        if (intervalNanos == 0) {
            intended = now;
        }
        pending = size;
        busy = true;
        inFlight.incrementAndGet();
        ctx.writeAndFlush(payload.retainedDuplicate(), ctx.voidPromise());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            pending -= buf.readableBytes();
        }
        ReferenceCountUtil.release(msg);
        if (busy && pending <= 0) {
            long now = System.nanoTime();
            busy = false;
            inFlight.decrementAndGet();
            if (control.inWindow(intended)) {
                tally.countOp(intended);
                tally.bytesOut.add(size);
                tally.bytesIn.add(size);
                tally.recordLatency(now - intended);
            }
            if (intervalNanos > 0) {
                intended += intervalNanos;
            }
            sendNext(ctx);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (busy) {
            busy = false;
            inFlight.decrementAndGet();
        }
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
