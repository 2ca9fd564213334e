package io.junction.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One connection per transaction: N independent loops, each connecting, sending one request, reading the answer
 * and closing, then starting over. Records the connect latency (connect call to established) and the whole
 * transaction latency. Two shapes:
 * <ul>
 *   <li>{@code tcp-crr}: the echo backend; the client closes first, once the whole echo is in (latency ends at
 *       the last answer byte);</li>
 *   <li>{@code tcp-bcf}: the {@code raw-close} or {@code http-close} backend answers and closes first; the client
 *       reads to EOF, checks the response and closes (latency ends at the EOF).</li>
 * </ul>
 * Control-thread only; each {@link Loop} is confined to one event loop.
 */
final class TcpCrrLoad implements LoadGenerator {
    private static final Logger log = LoggerFactory.getLogger(TcpCrrLoad.class);

    /** Pause after a failed connect so a dead target does not turn the loop into a busy spin. */
    private static final long RETRY_DELAY_MICROS = 1000;

    private final LoadSpec spec;
    private final InetSocketAddress target;
    private final EventLoopGroup group;
    private final LoadControl control;
    private final Tally tally;
    private final ChannelSet channels = new ChannelSet();
    private final ByteBuf payload;
    private final Failures failures;

    TcpCrrLoad(LoadSpec spec, InetSocketAddress target, EventLoopGroup group, LoadControl control, Tally tally) {
        this.spec = spec;
        this.target = target;
        this.group = group;
        this.control = control;
        this.tally = tally;
        byte[] request = spec.mode() == Mode.TCP_BCF ? spec.flavor().request(spec.messageSize())
                : new byte[spec.messageSize()];
        this.payload = Unpooled.directBuffer(request.length).writeBytes(request);
        this.failures = new Failures(spec.mode(), target);
    }

    private ChannelHandler handler(Loop loop) {
        return spec.mode() == Mode.TCP_BCF
                ? new TcpBcfClientHandler(payload, loop, spec.flavor(), spec.responseSize(), failures)
                : new TcpCrrClientHandler(payload, loop);
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
                    ch.pipeline().addLast(handler(Loop.this));
                }
            });
            if (spec.mode() == Mode.TCP_BCF) {
                // The backend's FIN must reach the handler as an event, not as an automatic close.
                bootstrap.option(ChannelOption.ALLOW_HALF_CLOSURE, true);
            }
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
                    failures.report(f.cause() == null ? "connect failed" : "connect: " + f.cause().getMessage());
                    finished(start, System.nanoTime(), false, 0, 0);
                }
            });
        }

        /** Called on the loop when a transaction ends, successfully or not. */
        void finished(long start, long end, boolean ok, long bytesOut, long bytesIn) {
            channels.inFlight.decrementAndGet();
            if (control.inWindow(start)) {
                if (ok) {
                    tally.countOp(start);
                    tally.bytesOut.add(bytesOut);
                    tally.bytesIn.add(bytesIn);
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

    /**
     * Logs the first failed transaction of a run (a failed connect, a reset, a short or wrong response), so a
     * non-zero errors column has a reason on stderr. Thread-safe.
     */
    static final class Failures {
        private final Mode mode;
        private final InetSocketAddress target;
        private final AtomicBoolean logged = new AtomicBoolean();

        Failures(Mode mode, InetSocketAddress target) {
            this.mode = mode;
            this.target = target;
        }

        void report(String what) {
            if (logged.compareAndSet(false, true)) {
                log.warn("mode={} target=127.0.0.1:{} firstFailedTransaction=\"{}\"", mode.cliName(),
                        target.getPort(), what);
            }
        }
    }
}
