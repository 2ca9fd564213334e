package io.junction.core.lb;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The power of two random choices over a backend cost that subclasses define: sample two distinct backends and take
 * the cheaper one, a coin flip deciding ties. Sampling two instead of scanning all keeps the pick O(1) for any
 * endpoint count and avoids the herd effect of every event loop sending its next connection to the same momentarily
 * cheapest backend (Mitzenmacher; also Envoy's and Finagle's choice). Slow start and admission then work as
 * {@link Candidates#twoChoices} describes: a ramping winner hands a share of its wins to the other sample, a full one
 * hands the connection to the other sample and then to a scan.
 *
 * <p>On a retry (the connection already tried some backend) it scans every backend and takes the untried one with
 * the lowest cost, starting at a random index so ties spread; retries are rare, so the O(n) scan is cheap overall.
 *
 * <p>Thread-safe, lock-free, allocation-free. Costs are read without synchronization; a stale one only makes one
 * choice slightly less good.
 */
abstract class TwoChoicesPicker implements Picker {
    private final Backend[] backends;

    TwoChoicesPicker(List<Backend> backends) {
        this.backends = backends.toArray(new Backend[0]);
    }

    /** What sending {@code b} one more connection costs now; lower is better. */
    abstract double cost(Backend b);

    @Override
    public final Backend pick(PickContext context) {
        Backend[] list = backends;
        int n = list.length;
        if (n <= 1) {
            return n == 0 ? null : Candidates.only(list[0]);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (context != null && context.attempts() > 0) {
            return cheapestUntried(list, random.nextInt(n), context);
        }
        // Two distinct indices from one draw: 32 random bits each, scaled by multiply-shift rather than nextInt's
        // division (its bias, under n / 2^32, does not matter here).
        long bits = random.nextLong();
        int i = (int) (((bits >>> 32) * n) >>> 32);
        int j = (int) (((bits & 0xFFFF_FFFFL) * (n - 1)) >>> 32);
        if (j >= i) {
            j++;
        }
        Backend a = list[i];
        Backend b = list[j];
        double ca = cost(a);
        double cb = cost(b);
        // Selects rather than two calls, so the compiler can use conditional moves for a coin-flip comparison.
        boolean aFirst = ca < cb;
        if (ca == cb) {
            aFirst = random.nextBoolean();
        }
        Backend better = aFirst ? a : b;
        Backend other = aFirst ? b : a;
        return Candidates.twoChoices(list, better, other, context, j);
    }

    private Backend cheapestUntried(Backend[] list, int start, PickContext context) {
        int n = list.length;
        Backend best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            Backend b = list[Candidates.wrap(start + k, n)];
            if (!context.wasTried(b)) {
                double cost = cost(b);
                if (best == null || cost < bestCost) {
                    best = b;
                    bestCost = cost;
                }
            }
        }
        if (best != null && best.admits()) {
            return best;
        }
        return Candidates.firstAdmitted(list, start, context, best);
    }
}
