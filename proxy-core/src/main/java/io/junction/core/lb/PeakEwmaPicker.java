package io.junction.core.lb;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Power of two random choices by expected cost, as Finagle's and Linkerd's peak-EWMA balancers: each backend's cost
 * is its connect latency, as a {@linkplain PeakEwma peak EWMA} fed by {@link Backend#onConnectSuccess}, times its
 * {@linkplain Backend#load() load} plus one, and of two distinct random backends the cheaper one wins. A backend that
 * connects slowly (an overloaded host, a distant zone) gets fewer connections in proportion, reacting within one
 * connect, and is tried again as its estimate decays. Slow start and admission work as {@link Candidates#twoChoices}
 * describes.
 *
 * <p>On a retry it scans every backend and takes the untried one with the lowest cost, starting at a random index;
 * retries are rare, so the O(n) scan is cheap overall.
 *
 * <p>Thread-safe, lock-free, allocation-free. Costs are read without synchronization; a stale one only makes one
 * choice slightly less good.
 */
final class PeakEwmaPicker implements Picker {
    private final Backend[] backends;

    PeakEwmaPicker(List<Backend> backends) {
        this.backends = backends.toArray(new Backend[0]);
    }

    @Override
    public Backend pick(PickContext context) {
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
        double ca = a.peakEwmaCost();
        double cb = b.peakEwmaCost();
        // Written as selects rather than two calls: the comparison is a coin flip to the branch predictor, and the
        // compiler can turn selects into conditional moves. Ties are rare once costs are measured.
        boolean aFirst = ca < cb;
        if (ca == cb) {
            aFirst = random.nextBoolean();
        }
        Backend better = aFirst ? a : b;
        Backend other = aFirst ? b : a;
        return Candidates.twoChoices(list, better, other, context, j);
    }

    private static Backend cheapestUntried(Backend[] list, int start, PickContext context) {
        int n = list.length;
        Backend best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            Backend b = list[Candidates.wrap(start + k, n)];
            if (!context.wasTried(b)) {
                double cost = b.peakEwmaCost();
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
