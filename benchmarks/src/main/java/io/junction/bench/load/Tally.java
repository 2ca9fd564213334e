package io.junction.bench.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters and latency recorders of one run, written by event loops only for operations inside the measurement
 * window. Thread-safe: {@link LongAdder}s and HdrHistogram {@link Recorder}s (wait-free writers, one reader).
 */
public final class Tally {
    /** Highest latency the histograms track; larger values are clamped so a stall cannot throw. */
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(60);

    final LongAdder ops = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder sent = new LongAdder();
    final LongAdder lost = new LongAdder();
    private final Recorder latency = new Recorder(MAX_NANOS, 3);
    private final Recorder connect = new Recorder(MAX_NANOS, 3);
    /** Per-second counts of the window, when asked for ({@code --from-start}); null otherwise. */
    private volatile SecondBuckets seconds;

    /** Also counts operations per second of the window from {@code originNanos}; call before the window opens. */
    public void countPerSecond(long originNanos, int buckets) {
        seconds = new SecondBuckets(originNanos, buckets);
    }

    /** Counts one completed operation that started (or was intended to start) at {@code startNanos}. */
    void countOp(long startNanos) {
        ops.increment();
        SecondBuckets s = seconds;
        if (s != null) {
            s.record(startNanos);
        }
    }

    void recordLatency(long nanos) {
        latency.recordValue(Math.min(Math.max(nanos, 0), MAX_NANOS));
    }

    void recordConnect(long nanos) {
        connect.recordValue(Math.min(Math.max(nanos, 0), MAX_NANOS));
    }

    /** Operations completed so far in the window, for the progress line. */
    public long opsSoFar() {
        return ops.sum();
    }

    /** Bytes moved so far in the window (both directions), for the progress line. */
    public long bytesSoFar() {
        return bytesIn.sum() + bytesOut.sum();
    }

    public long errorsSoFar() {
        return errors.sum();
    }

    /** Freezes the counters into a {@link Measurement}; call once, after the generator stopped. */
    public Measurement snapshot(long windowNanos) {
        Histogram lat = latency.getIntervalHistogram();
        Histogram con = connect.getIntervalHistogram();
        SecondBuckets s = seconds;
        return new Measurement(windowNanos, ops.sum(), bytesOut.sum(), bytesIn.sum(), errors.sum(), sent.sum(),
                lost.sum(), lat, con, s == null ? new long[0] : s.counts());
    }
}
