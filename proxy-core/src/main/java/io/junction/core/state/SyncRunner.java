package io.junction.core.state;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Runs a sync function on one control thread at most once per {@code minInterval}, however often {@link #request()}
 * is called (kube-proxy's bounded-frequency runner, without the periodic part: every change here is pushed). A burst
 * of requests during a sync produces exactly one more sync after it. Exceptions from the sync are reported to the
 * error handler and never stop later syncs.
 *
 * <p>Thread-safe: {@link #request()} may be called from any thread; the sync itself always runs on the executor.
 */
public final class SyncRunner {
    /** Where syncs run: the control thread's queue, with a delay (0: as soon as possible). */
    @FunctionalInterface
    public interface Scheduler {
        void schedule(Runnable task, long delayNanos);

        /** A scheduler over {@code executor}. */
        static Scheduler of(ScheduledExecutorService executor) {
            return (task, delayNanos) -> {
                if (delayNanos == 0) {
                    executor.execute(task);
                } else {
                    executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
                }
            };
        }
    }

    private final Scheduler scheduler;
    private final Runnable sync;
    private final long minIntervalNanos;
    private final LongSupplier nanoClock;
    private final Consumer<Throwable> onError;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile long lastRunNanos;
    private volatile boolean ran;

    public SyncRunner(Scheduler scheduler, Runnable sync, long minIntervalMillis,
                      LongSupplier nanoClock, Consumer<Throwable> onError) {
        if (minIntervalMillis < 0) {
            throw new IllegalArgumentException("minIntervalMillis: " + minIntervalMillis + " (expected: >= 0)");
        }
        this.scheduler = scheduler;
        this.sync = sync;
        this.minIntervalNanos = TimeUnit.MILLISECONDS.toNanos(minIntervalMillis);
        this.nanoClock = nanoClock;
        this.onError = onError;
    }

    /** Asks for a sync as soon as the minimum interval allows; coalesces with one already scheduled. */
    public void request() {
        if (!scheduled.compareAndSet(false, true)) {
            return;
        }
        long wait = ran ? Math.max(0, lastRunNanos + minIntervalNanos - nanoClock.getAsLong()) : 0;
        scheduler.schedule(this::runOnce, wait);
    }

    private void runOnce() {
        // Cleared before the sync, so a change recorded while it runs schedules one more pass.
        scheduled.set(false);
        lastRunNanos = nanoClock.getAsLong();
        ran = true;
        try {
            sync.run();
        } catch (Throwable t) {
            onError.accept(t);
        }
    }
}
