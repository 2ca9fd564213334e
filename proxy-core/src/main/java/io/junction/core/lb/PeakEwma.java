package io.junction.core.lb;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

/**
 * One backend's connect latency as a peak EWMA (Finagle's {@code PeakEwma}, Linkerd's tower {@code PeakEwma}): a
 * sample above the current estimate replaces it at once, a lower one pulls it down with weight {@code 1 - w} where
 * {@code w = exp(-elapsed / tau)} and elapsed is the time since the previous sample, and between samples the estimate
 * decays toward zero, so a backend that was slow once is tried again after a while instead of starving for ever.
 * Quick to punish a latency spike, cautious to forgive it.
 *
 * <p>The decay is applied when the estimate is read, without writing it back; Finagle and tower write the decayed
 * value on every read, which gives the same estimate when reads are frequent (and they are: every pick that samples
 * this backend reads it). Evidence older than {@value #FORGET_AFTER_TAUS} tau is forgotten.
 *
 * <p>A backend without evidence (new, forgotten, or after a failed connect, which says nothing about latency but
 * that the last estimate no longer holds) costs as if its connects took {@link #DEFAULT_LATENCY_NANOS}, a pessimistic
 * LAN figure, so it is probed soon but not flooded; while a connect to it is in flight it costs
 * {@link #PENALTY} plus its load, as in Finagle, so it is probed by one connection at a time until that one reports.
 *
 * <p>Thread-safe, lock-free, allocation-free: estimate and time stamp live in one volatile {@code long} (the estimate
 * as a {@code float} of nanoseconds in the high half, the stamp in units of 2^20 ns, about 1 ms, in the low half), so
 * a reader never pairs one sample's estimate with another's stamp. Two loops recording at once may lose one sample
 * (the last write wins), which only makes the estimate a little less current.
 */
final class PeakEwma {
    /** tau, the decay time constant: the estimate's memory (Finagle's and Linkerd's default). */
    static final long DECAY_NANOS = TimeUnit.SECONDS.toNanos(10);
    static final int FORGET_AFTER_TAUS = 10;
    /** Latency assumed for a backend without evidence: slower than a LAN connect, faster than a distant one. */
    static final double DEFAULT_LATENCY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Cost of a backend without evidence while a connect to it is pending (Finagle's {@code Penalty}). */
    static final double PENALTY = Long.MAX_VALUE >> 16;

    private static final int STAMP_SHIFT = 20;
    private static final long FORGET_NANOS = FORGET_AFTER_TAUS * DECAY_NANOS;
    private static final double INVERSE_DECAY = 1.0 / DECAY_NANOS;
    /** No evidence. A packed estimate is never 0: samples are at least 1 ns, so its float bits are not zero. */
    private static final long UNKNOWN = 0L;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(PeakEwma.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile long state = UNKNOWN;

    /** Records a connect that took {@code latencyNanos}, completed at {@code now}. */
    void observe(long latencyNanos, long now) {
        float sample = (float) Math.max(1L, latencyNanos);
        long s = state;
        int stamp = stamp(now);
        float next = sample;
        if (s != UNKNOWN) {
            if (stamp - (int) s < 0) {
                // Another loop stamped a later time than this one read: keep its stamp, so time never runs back.
                stamp = (int) s;
            }
            long elapsed = elapsedNanos(s, stamp);
            if (elapsed < FORGET_NANOS) {
                double w = Math.exp(-elapsed * INVERSE_DECAY);
                double decayed = estimate(s) * w;
                next = sample > decayed ? sample : (float) (decayed + sample * (1.0 - w));
            }
        }
        state = ((long) Float.floatToRawIntBits(next) << 32) | (stamp & 0xFFFF_FFFFL);
    }

    /** Drops the evidence: the backend is probed again as if new. */
    void forget() {
        state = UNKNOWN;
    }

    /** The decayed estimate at {@code now} in nanoseconds, or NaN without evidence. */
    double estimateNanos(long now) {
        long s = state;
        if (s == UNKNOWN) {
            return Double.NaN;
        }
        long elapsed = elapsedNanos(s, stamp(now));
        return elapsed < FORGET_NANOS ? estimate(s) * Math.exp(-elapsed * INVERSE_DECAY) : Double.NaN;
    }

    /**
     * What sending one more connection to this backend is expected to cost: the decayed estimate times
     * {@code load + 1} (the connection waits behind the backend's current work), or the no-evidence cost.
     */
    double cost(long now, int load, int pendingConnects) {
        long s = state;
        if (s != UNKNOWN) {
            long elapsed = elapsedNanos(s, stamp(now));
            if (elapsed < FORGET_NANOS) {
                return estimate(s) * Math.exp(-elapsed * INVERSE_DECAY) * (load + 1);
            }
            // Also keeps the 32-bit stamp from wrapping round (after about 26 days) into looking fresh.
            STATE.compareAndSet(this, s, UNKNOWN);
        }
        return pendingConnects > 0 ? PENALTY + load : DEFAULT_LATENCY_NANOS * (load + 1);
    }

    private static int stamp(long nanos) {
        return (int) (nanos >> STAMP_SHIFT);
    }

    private static float estimate(long s) {
        return Float.intBitsToFloat((int) (s >>> 32));
    }

    /** Time since the stamp of {@code s}; 0 if another loop stamped a later time than this one read. */
    private static long elapsedNanos(long s, int nowStamp) {
        return (long) Math.max(0, nowStamp - (int) s) << STAMP_SHIFT;
    }
}
