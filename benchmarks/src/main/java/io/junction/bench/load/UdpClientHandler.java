package io.junction.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One UDP flow on a connected datagram channel, in one of two shapes: paced stream (a 1 ms tick sends whatever the
 * rate allows since the flow started) or request/response (one datagram in flight, next on answer or timeout).
 * Each datagram starts with a sequence number and its send time. Event-loop confined.
 */
final class UdpClientHandler extends ChannelInboundHandlerAdapter {
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Most datagrams sent in one tick, so a late tick does not flood the socket buffer. */
    private static final int MAX_BURST = 2000;

    private final int size;
    private final double perNano;
    private final Duration timeout;
    private final LoadControl control;
    private final Tally tally;
    private final AtomicInteger inFlight;

    private ScheduledFuture<?> ticker;
    private long origin;
    private long seq;
    /** Datagrams sent whose echo has not come back (stream mode: counted only to drain at the end). */
    private long outstanding;
    private long pendingSeq = -1;
    private long pendingSent;

    UdpClientHandler(int size, double perNano, Duration timeout, LoadControl control, Tally tally,
                     AtomicInteger inFlight) {
        this.size = size;
        this.perNano = perNano;
        this.timeout = timeout;
        this.control = control;
        this.tally = tally;
        this.inFlight = inFlight;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        origin = System.nanoTime();
        if (timeout == null) {
            ticker = ctx.executor().scheduleAtFixedRate(() -> tick(ctx), 0, TICK_NANOS, TimeUnit.NANOSECONDS);
        } else {
            long check = Math.max(TICK_NANOS, timeout.toNanos() / 4);
            ticker = ctx.executor().scheduleAtFixedRate(() -> checkTimeout(ctx), check, check, TimeUnit.NANOSECONDS);
            sendOne(ctx);
            ctx.flush();
        }
        ctx.fireChannelActive();
    }

    private void tick(ChannelHandlerContext ctx) {
        long due = (long) ((System.nanoTime() - origin) * perNano) - seq;
        int n = (int) Math.min(due, MAX_BURST);
        for (int i = 0; i < n && ctx.channel().isActive(); i++) {
            if (!sendOne(ctx)) {
                break;
            }
        }
        ctx.flush();
        if (control.stopping() && outstanding == 0) {
            ticker.cancel(false);
        }
    }

    private boolean sendOne(ChannelHandlerContext ctx) {
        if (!control.acquire()) {
            return false;
        }
        long now = System.nanoTime();
        ByteBuf buf = ctx.alloc().directBuffer(size);
        buf.writeLong(seq).writeLong(now).writeZero(size - LoadSpec.UDP_HEADER);
        if (timeout != null) {
            pendingSeq = seq;
            pendingSent = now;
        }
        seq++;
        if (outstanding++ == 0) {
            inFlight.incrementAndGet();
        }
        if (control.inWindow(now)) {
            tally.sent.increment();
            tally.bytesOut.add(size);
        }
        ctx.write(buf, ctx.voidPromise());
        return true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf content = msg instanceof DatagramPacket p ? p.content() : msg instanceof ByteBuf b ? b : null;
        try {
            if (content == null || content.readableBytes() < LoadSpec.UDP_HEADER) {
                return;
            }
            long now = System.nanoTime();
            long s = content.getLong(content.readerIndex());
            long sentAt = content.getLong(content.readerIndex() + 8);
            if (timeout != null && s != pendingSeq) {
                return; // an answer that arrived after its timeout; already counted as lost
            }
            if (outstanding > 0 && --outstanding == 0) {
                inFlight.decrementAndGet();
            }
            if (control.inWindow(sentAt)) {
                tally.countOp(sentAt);
                tally.bytesIn.add(content.readableBytes());
                tally.recordLatency(now - sentAt);
            }
            if (timeout != null) {
                pendingSeq = -1;
                if (sendOne(ctx)) {
                    ctx.flush();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void checkTimeout(ChannelHandlerContext ctx) {
        if (pendingSeq < 0 || System.nanoTime() - pendingSent < timeout.toNanos()) {
            return;
        }
        if (control.inWindow(pendingSent)) {
            tally.lost.increment();
        }
        pendingSeq = -1;
        if (outstanding > 0 && --outstanding == 0) {
            inFlight.decrementAndGet();
        }
        if (sendOne(ctx)) {
            ctx.flush();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP port unreachable (PortUnreachableException) and friends: count and keep the flow alive.
        if (!control.stopping()) {
            tally.errors.increment();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (outstanding > 0) {
            outstanding = 0;
            inFlight.decrementAndGet();
        }
        ctx.fireChannelInactive();
    }
}
