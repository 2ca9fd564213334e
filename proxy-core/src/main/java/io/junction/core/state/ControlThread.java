package io.junction.core.state;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The single thread that owns the control plane's state: every sync, bind, drain timer and shutdown step runs on it,
 * one at a time. {@link #submit} runs its task inline when called from the control thread itself, so no task running
 * here can wait for another queued behind it (a snapshot listener asking for bound addresses would otherwise stall
 * the thread).
 *
 * <p>Thread-safe.
 */
final class ControlThread implements AutoCloseable {
    private final ScheduledExecutorService executor;
    private volatile Thread thread;

    ControlThread(String name) {
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    /** Whether the caller is the control thread. */
    boolean isCurrent() {
        return Thread.currentThread() == thread;
    }

    /** The executor behind the thread, for components that schedule on it (the sync runner). */
    ScheduledExecutorService executor() {
        return executor;
    }

    void execute(Runnable task) {
        executor.execute(task);
    }

    ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        return executor.schedule(task, delay, unit);
    }

    void scheduleWithFixedDelay(Runnable task, long period, TimeUnit unit) {
        executor.scheduleWithFixedDelay(task, period, period, unit);
    }

    /** Runs {@code task} on the control thread: inline when already there, else queued. */
    <T> CompletableFuture<T> submit(Supplier<T> task) {
        if (isCurrent()) {
            try {
                return CompletableFuture.completedFuture(task.get());
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return CompletableFuture.supplyAsync(task, executor);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
