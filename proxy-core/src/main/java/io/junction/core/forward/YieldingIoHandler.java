package io.junction.core.forward;

import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;

import java.util.function.LongSupplier;

/**
 * Lets a busy worker loop give up its core between turns: after a turn that handled I/O, if at least
 * {@code intervalNanos} have passed since its last yield, the loop calls {@link Thread#yield()} ({@code sched_yield}).
 *
 * <p>Why: a worker that always has ready events never sleeps, so the kernel only switches it out at a scheduler tick
 * (4 ms at {@code HZ=250}). When two workers share a core, which the kernel does whenever the cores are busy, each
 * one's connections wait a whole tick while the other runs; {@code perf sched} showed Junction's workers alternating
 * in 4 ms turns where HAProxy's threads, which sleep more often, alternate in under 1.5 ms. That tick is the tcp-rr
 * p99 tail. Yielding bounds the turn. With no other runnable thread on the core, {@code sched_yield} returns at once,
 * and the interval bounds what it costs to at most one system call per interval per worker.
 *
 * <p>Event-loop confined like the handler it wraps ({@link #wakeup()} may be called from any thread, as there).
 */
final class YieldingIoHandler extends ForwardingIoHandler {
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Runnable yielder;
    private long lastYieldNanos;

    YieldingIoHandler(IoHandler delegate, long intervalNanos, LongSupplier nanoClock, Runnable yielder) {
        super(delegate);
        this.intervalNanos = intervalNanos;
        this.nanoClock = nanoClock;
        this.yielder = yielder;
        this.lastYieldNanos = nanoClock.getAsLong();
    }

    /** {@code factory}'s handlers, yielding at most once per {@code intervalNanos}; 0 returns {@code factory}. */
    static IoHandlerFactory wrap(IoHandlerFactory factory, long intervalNanos) {
        if (intervalNanos < 0) {
            throw new IllegalArgumentException("intervalNanos: " + intervalNanos + " (expected: >= 0)");
        }
        if (intervalNanos == 0) {
            return factory;
        }
        return wrapping(factory, handler -> new YieldingIoHandler(handler, intervalNanos, System::nanoTime,
                Thread::yield));
    }

    @Override
    public int run(IoHandlerContext context) {
        int handled = super.run(context);
        if (handled > 0) {
            long now = nanoClock.getAsLong();
            if (now - lastYieldNanos >= intervalNanos) {
                lastYieldNanos = now;
                yielder.run();
            }
        }
        return handled;
    }
}
