package io.junction.agent.registry.api;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Reads parked until the index they watch passes the client's {@code ?index=}, as Consul's blocking queries: a
 * parked read holds no thread; it is answered on the next change that moves its index, or when its wait (default 5
 * min, at most 10 min, plus up to wait/16 of random jitter as Consul adds) runs out, with whatever is current then.
 * At most {@link #MAX_HELD} reads are parked; past that a read is answered at once (the client simply polls).
 *
 * <p>Confined to the registry's event loop; {@link #held()} may be read from any thread.
 */
public final class BlockingQueries {
    public static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    public static final Duration MAX_WAIT = Duration.ofMinutes(10);
    public static final int MAX_HELD = 4096;

    /** One parked read. */
    private final class Waiter implements Runnable {
        final LongSupplier index;
        final long minIndex;
        final Runnable answer;
        ScheduledFuture<?> timer;

        Waiter(LongSupplier index, long minIndex, Runnable answer) {
            this.index = index;
            this.minIndex = minIndex;
            this.answer = answer;
        }

        /** Answers once and forgets the waiter. */
        @Override
        public void run() {
            if (waiters.remove(this)) {
                held.decrementAndGet();
                timer.cancel(false);
                answer.run();
            }
        }

        void cancel() {
            if (waiters.remove(this)) {
                held.decrementAndGet();
                timer.cancel(false);
            }
        }
    }

    private final EventLoop loop;
    private final Set<Waiter> waiters = new LinkedHashSet<>();
    private final AtomicInteger held = new AtomicInteger();

    public BlockingQueries(EventLoop loop) {
        this.loop = loop;
    }

    /** The wait a client asked for, capped and with Consul's jitter added. */
    public static Duration effectiveWait(Duration requested) {
        Duration wait = requested == null || requested.isZero() ? DEFAULT_WAIT : requested;
        if (wait.compareTo(MAX_WAIT) > 0) {
            wait = MAX_WAIT;
        }
        long jitter = wait.toNanos() / 16;
        return jitter <= 0 ? wait : wait.plusNanos(ThreadLocalRandom.current().nextLong(jitter));
    }

    /**
     * Parks a read until {@code index} exceeds {@code minIndex} or {@code wait} passes, then runs {@code answer}
     * (on the loop). Returns a handle that drops the read without answering (the client went away), or null when the
     * read was not parked because too many are held: the caller then answers at once.
     */
    public Runnable park(long minIndex, Duration wait, LongSupplier index, Runnable answer) {
        if (waiters.size() >= MAX_HELD) {
            return null;
        }
        Waiter w = new Waiter(index, minIndex, answer);
        waiters.add(w);
        held.incrementAndGet();
        w.timer = loop.schedule(w, wait.toNanos(), TimeUnit.NANOSECONDS);
        return w::cancel;
    }

    /** The registry changed: answers every parked read whose index moved past the client's. */
    public void changed() {
        List<Waiter> ready = new ArrayList<>();
        for (Waiter w : waiters) {
            if (w.index.getAsLong() > w.minIndex) {
                ready.add(w);
            }
        }
        ready.forEach(Waiter::run);
    }

    /** Reads parked now. */
    public int held() {
        return held.get();
    }

    /** Answers every parked read now (shutdown: clients get the current state rather than a reset). */
    public void releaseAll() {
        new ArrayList<>(waiters).forEach(Waiter::run);
    }
}
