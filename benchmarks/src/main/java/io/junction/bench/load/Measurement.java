package io.junction.bench.load;

import org.HdrHistogram.Histogram;

/**
 * The raw result of one measurement window. Immutable by convention: the histograms are private copies that
 * nobody records into after the snapshot.
 *
 * @param windowNanos length of the measurement window
 * @param ops         completed operations (requests, connections, echoed datagrams, or 0 for tcp-stream)
 * @param bytesOut    payload bytes the client sent in the window
 * @param bytesIn     payload bytes the client received in the window
 * @param errors      failed connects, resets and unexpected closes
 * @param sent        datagrams sent in the window (UDP modes)
 * @param lost        datagrams that timed out (udp-rr) — for udp-stream loss is {@code sent - ops}
 * @param latency     per-operation latency in nanoseconds (empty for tcp-stream)
 * @param connect     connect latency in nanoseconds (tcp-crr and tcp-bcf only)
 * @param perSecond   operations per second of the window by start time (empty unless {@code --from-start})
 */
public record Measurement(long windowNanos, long ops, long bytesOut, long bytesIn, long errors, long sent, long lost,
                          Histogram latency, Histogram connect, long[] perSecond) {

    /** A measurement without per-second counts. */
    public Measurement(long windowNanos, long ops, long bytesOut, long bytesIn, long errors, long sent, long lost,
                       Histogram latency, Histogram connect) {
        this(windowNanos, ops, bytesOut, bytesIn, errors, sent, lost, latency, connect, new long[0]);
    }

    /** Operations per second in each second of the window (see {@link SecondBuckets#rates}); empty when not counted. */
    public double[] perSecondRates() {
        return SecondBuckets.rates(perSecond, windowNanos);
    }

    public double seconds() {
        return windowNanos / 1e9;
    }

    public double opsPerSecond() {
        return ops / seconds();
    }

    /** Payload throughput, both directions added, in Gbit/s. */
    public double gbitPerSecond() {
        return (bytesOut + bytesIn) * 8 / 1e9 / seconds();
    }

    /** Loss as a fraction of datagrams sent in the window, or 0 when nothing was sent. */
    public double lossFraction(Mode mode) {
        if (sent == 0) {
            return 0;
        }
        long missing = mode == Mode.UDP_STREAM ? Math.max(0, sent - ops) : lost;
        return (double) missing / sent;
    }
}
