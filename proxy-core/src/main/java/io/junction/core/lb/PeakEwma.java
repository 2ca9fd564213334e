package io.junction.core.lb;

import java.util.concurrent.TimeUnit;

/**
 * A backend's connect latency as a peak EWMA (Finagle's {@code PeakEwma}, Linkerd's tower {@code PeakEwma}): a sample
 * above the current estimate replaces it at once, a lower one pulls it down with weight {@code 1 - w} where
 * {@code w = exp(-elapsed / tau)} and elapsed is the time since the previous sample, and between samples the estimate
 * decays toward zero, so a backend that was slow once is tried again after a while instead of starving for ever.
 * Quick to punish a latency spike, cautious to forgive it.
 *
 * <p>The decay is applied when the estimate is read, without writing it back; Finagle and tower write the decayed
 * value on every read, which gives the same estimate when reads are frequent (and they are: every pick that samples
 * the backend reads it). Evidence older than {@value #FORGET_AFTER_TAUS} tau is forgotten.
 *
 * <p>A backend without evidence (new, forgotten, or after a failed connect, which says nothing about latency but that
 * the last estimate no longer holds) costs as if its connects took {@link #DEFAULT_LATENCY_NANOS}, a pessimistic LAN
 * figure, so it is probed soon but not flooded; while a connect to it is in flight it costs {@link #PENALTY} plus its
 * load, as in Finagle, so it is probed by one connection at a time until that one reports.
 *
 * <p>The state is one {@code long}, kept by {@link Backend} in a volatile field: the estimate as a {@code float} of
 * nanoseconds in the high half, the time of the last sample in steps of 2^24 ns (about 17 ms, 0.17% of tau) in the
 * low half. A reader therefore never pairs one sample's estimate with another's time, and the estimate costs no object
 * of its own (one cache line fewer per backend a pick reads). Two loops recording at once may lose one sample (the
 * last write wins), which only makes the estimate a little less current. The 32-bit step count wraps after about a
 * year; a backend with no connect for that long may have its old estimate read as fresh once.
 *
 * <p>Stateless; thread-safe; allocation-free.
 */
final class PeakEwma {
    /** tau, the decay time constant: the estimate's memory (Finagle's and Linkerd's default). */
    static final long DECAY_NANOS = TimeUnit.SECONDS.toNanos(10);
    static final int FORGET_AFTER_TAUS = 10;
    /** Latency assumed for a backend without evidence: slower than a LAN connect, faster than a distant one. */
    static final double DEFAULT_LATENCY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Cost of a backend without evidence while a connect to it is pending (Finagle's {@code Penalty}). */
    static final double PENALTY = Long.MAX_VALUE >> 16;
    /** No evidence. A packed estimate is never 0: samples are at least 1 ns, so its float bits are not zero. */
    static final long UNKNOWN = 0L;

    private static final int STEP_SHIFT = 24;
    private static final int FORGET_STEPS = (int) ((FORGET_AFTER_TAUS * DECAY_NANOS) >> STEP_SHIFT);
    /**
     * {@code exp(-k * step / tau)} for every step k up to forgetting: about 6,000 floats (23 KiB) shared by all. A
     * pick reads two decayed estimates, and two {@link Math#exp} calls cost more than the rest of the pick.
     */
    private static final float[] DECAY = decayTable();

    private PeakEwma() {
    }

    /** The state after a connect that took {@code latencyNanos} completed at {@code now}. */
    static long observe(long state, long latencyNanos, long now) {
        float sample = (float) Math.max(1L, latencyNanos);
        int step = step(now);
        float next = sample;
        if (state != UNKNOWN) {
            if (step - (int) state < 0) {
                // Another loop stamped a later time than this one read: keep its time, so time never runs back.
                step = (int) state;
            }
            int elapsed = step - (int) state;
            if (elapsed < FORGET_STEPS) {
                double w = DECAY[elapsed];
                double decayed = estimate(state) * w;
                next = sample > decayed ? sample : (float) (decayed + sample * (1.0 - w));
            }
        }
        return ((long) Float.floatToRawIntBits(next) << 32) | (step & 0xFFFF_FFFFL);
    }

    /** The decayed estimate at {@code now} in nanoseconds, or NaN without evidence. */
    static double estimateNanos(long state, long now) {
        if (state == UNKNOWN) {
            return Double.NaN;
        }
        int elapsed = elapsedSteps(state, now);
        return elapsed < FORGET_STEPS ? estimate(state) * DECAY[elapsed] : Double.NaN;
    }

    /**
     * What sending one more connection to the backend is expected to cost: the decayed estimate times
     * {@code load + 1} (the connection waits behind the backend's current work), or the no-evidence cost.
     */
    static double cost(long state, long now, int load, int pendingConnects) {
        if (state != UNKNOWN) {
            int elapsed = elapsedSteps(state, now);
            if (elapsed < FORGET_STEPS) {
                return estimate(state) * DECAY[elapsed] * (load + 1);
            }
        }
        return pendingConnects > 0 ? PENALTY + load : DEFAULT_LATENCY_NANOS * (load + 1);
    }

    private static int step(long nanos) {
        return (int) (nanos >> STEP_SHIFT);
    }

    private static float estimate(long state) {
        return Float.intBitsToFloat((int) (state >>> 32));
    }

    /** Steps since the state's sample; 0 if another loop stamped a later time than this one read. */
    private static int elapsedSteps(long state, long now) {
        return Math.max(0, step(now) - (int) state);
    }

    private static float[] decayTable() {
        float[] table = new float[FORGET_STEPS];
        for (int k = 0; k < table.length; k++) {
            table[k] = (float) Math.exp(-(double) ((long) k << STEP_SHIFT) / DECAY_NANOS);
        }
        return table;
    }
}
