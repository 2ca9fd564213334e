package io.junction.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code tcp-crr}: N independent loops, each connecting, sending one request to the echo backend, reading the
 * answer and closing, then starting over. Records the connect latency (connect call to established) and the whole
 * transaction latency (connect call to last answer byte). Control-thread only; each {@link Loop} is confined to
 * one event loop.
 */
final class TcpCrrLoad implements LoadGenerator {
    /** Pause after a failed connect so a dead target does not turn the loop into a busy spin. */
    private static final long RETRY_DELAY_MICROS = 1000;

    private final LoadSpec spec;
    private final InetSocketAddress target;
    private final EventLoopGroup group;
    private final LoadControl control;
    private final Tally tally;
    private final ChannelSet channels = new ChannelSet();
    private final ByteBuf payload;

    TcpCrrLoad(LoadSpec spec, InetSocketAddress target, EventLoopGroup group, LoadControl control, Tally tally) {
        this.spec = spec;
        this.target = target;
        this.group = group;
        this.control = control;
        this.tally = tally;
        this.payload = Unpooled.directBuffer(spec.messageSize()).writeZero(spec.messageSize());
    }

    @Override
    public void start() {
        long interval = spec.intervalNanos();
        long origin = System.nanoTime();
        for (int i = 0; i < spec.connections(); i++) {
            EventLoop loop = group.next();
            Loop l = new Loop(loop, interval, spec.firstStartNanos(origin, i));
            loop.execute(l::next);
        }
    }

    @Override
    public void stop(Duration drain) throws InterruptedException {
        channels.stop(control, drain);
        payload.release();
    }

    /** One connect-request-response-close loop. Confined to its event loop. */
    final class Loop {
        private final EventLoop loop;
        private final Bootstrap bootstrap;
        private final long intervalNanos;
        private long intended;

        Loop(EventLoop loop, long intervalNanos, long firstStart) {
            this.loop = loop;
            this.intervalNanos = intervalNanos;
            this.intended = firstStart;
            this.bootstrap = ClientBootstraps.tcp(loop, new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    channels.add(ch);
                    ch.pipeline().addLast(new TcpCrrClientHandler(payload, Loop.this));
                }
            });
        }

        void next() {
            long now = System.nanoTime();
            if (intervalNanos > 0 && intended > now) {
                loop.schedule(this::next, intended - now, TimeUnit.NANOSECONDS);
                return;
            }
            if (!control.acquire()) {
                return;
            }
            long start = intervalNanos == 0 ? now : intended;
            if (intervalNanos > 0) {
                intended += intervalNanos;
            }
            channels.inFlight.incrementAndGet();
            bootstrap.connect(target).addListener(f -> {
                if (f.isSuccess()) {
                    if (control.inWindow(start)) {
                        tally.recordConnect(System.nanoTime() - start);
                    }
                    ((ChannelFuture) f).channel().attr(TcpCrrClientHandler.START).set(start);
                } else {
                    finished(start, System.nanoTime(), false, 0);
                }
            });
        }

        /** Called on the loop when a transaction ends, successfully or not. */
        void finished(long start, long end, boolean ok, int bytes) {
            channels.inFlight.decrementAndGet();
            if (control.inWindow(start)) {
                if (ok) {
                    tally.ops.increment();
                    tally.bytesOut.add(bytes);
                    tally.bytesIn.add(bytes);
                    tally.recordLatency(end - start);
                } else {
                    tally.errors.increment();
                }
            }
            if (ok) {
                next();
            } else {
                loop.schedule(this::next, RETRY_DELAY_MICROS, TimeUnit.MICROSECONDS);
            }
        }
    }
}
