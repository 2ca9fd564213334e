package io.junction.bench.load;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Operations counted per whole second of a measurement window, by the time each operation started (so the buckets
 * add up to the window's operation count): bucket 0 holds [origin, origin + 1 s), bucket 1 the next second, and so
 * on. Used by {@code --from-start} to show how fast a freshly launched proxy reaches its steady rate. Thread-safe:
 * event loops record into an {@link AtomicLongArray}; the rate arithmetic is pure.
 */
public final class SecondBuckets {
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final long origin;
    private final AtomicLongArray counts;

    /**
     * @param originNanos {@link System#nanoTime()} at which the window opened
     * @param buckets     how many seconds to track; see {@link #bucketsFor}
     */
    public SecondBuckets(long originNanos, int buckets) {
        if (buckets < 1) {
            throw new IllegalArgumentException("buckets: " + buckets + " (expected: >= 1)");
        }
        this.origin = originNanos;
        this.counts = new AtomicLongArray(buckets);
    }

    /** Buckets needed to cover a window: one per started second (a 10.5 s window has 11, the last one half). */
    public static int bucketsFor(Duration window) {
        long nanos = window.toNanos();
        return (int) Math.max(1, (nanos + SECOND - 1) / SECOND);
    }

    /** Counts one operation that started at {@code startNanos}; starts outside the tracked seconds are ignored. */
    public void record(long startNanos) {
        long offset = startNanos - origin;
        if (offset < 0) {
            return;
        }
        long index = offset / SECOND;
        if (index < counts.length()) {
            counts.incrementAndGet((int) index);
        }
    }

    public long[] counts() {
        long[] out = new long[counts.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = counts.get(i);
        }
        return out;
    }

    /**
     * Per-second rates of a window {@code windowNanos} long: each count divided by the part of its second that lies
     * inside the window (a whole second, except for a last, partial one). A bucket wholly past the window's end (the
     * op budget ran out early) is NaN.
     */
    public static double[] rates(long[] counts, long windowNanos) {
        double[] out = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            long covered = Math.min(SECOND, windowNanos - i * SECOND);
            out[i] = covered <= 0 ? Double.NaN : counts[i] * 1e9 / covered;
        }
        return out;
    }
}
