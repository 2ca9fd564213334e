package io.junction.core.forward;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.ThreadAwareExecutor;

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
final class YieldingIoHandler implements IoHandler {
    private final IoHandler delegate;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Runnable yielder;
    private long lastYieldNanos;

    YieldingIoHandler(IoHandler delegate, long intervalNanos, LongSupplier nanoClock, Runnable yielder) {
        this.delegate = delegate;
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
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor executor) {
                return new YieldingIoHandler(factory.newHandler(executor), intervalNanos, System::nanoTime,
                        Thread::yield);
            }

            @Override
            public boolean isChangingThreadSupported() {
                return factory.isChangingThreadSupported();
            }
        };
    }

    @Override
    public int run(IoHandlerContext context) {
        int handled = delegate.run(context);
        if (handled > 0) {
            long now = nanoClock.getAsLong();
            if (now - lastYieldNanos >= intervalNanos) {
                lastYieldNanos = now;
                yielder.run();
            }
        }
        return handled;
    }

    @Override
    public void initialize() {
        delegate.initialize();
    }

    @Override
    public void prepareToDestroy() {
        delegate.prepareToDestroy();
    }

    @Override
    public void destroy() {
        delegate.destroy();
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return delegate.register(handle);
    }

    @Override
    public void wakeup() {
        delegate.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return delegate.isCompatible(handleType);
    }
}
