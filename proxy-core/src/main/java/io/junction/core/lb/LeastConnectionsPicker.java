package io.junction.core.lb;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Least connections by the power of two random choices: sample two distinct backends and take the one with the
 * smaller {@linkplain Backend#load() load} (live connections plus connects in progress, so a backend that accepts
 * connects slowly, or not at all, is seen as busy while they hang), a coin flip deciding ties. Sampling two instead of
 * scanning all keeps the pick O(1) for any endpoint count and avoids the herd effect of every event loop sending its
 * next connection to the same momentarily least-loaded backend (Mitzenmacher; also Envoy's and Finagle's choice).
 * Slow start and admission then work as {@link Candidates#twoChoices} describes: a ramping winner hands a share of
 * its wins to the other sample, a full one hands the connection to the other sample and then to a scan.
 *
 * <p>On a retry (the connection already tried some backend) it scans every backend and takes the untried one with
 * the smallest load, starting at a random index so ties spread; retries are rare, so the O(n) scan is cheap overall.
 *
 * <p>Thread-safe, lock-free, allocation-free. Loads are read without synchronization; a stale count only makes one
 * choice slightly less balanced.
 */
final class LeastConnectionsPicker implements Picker {
    private final Backend[] backends;

    LeastConnectionsPicker(List<Backend> backends) {
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
            return leastUntried(list, random.nextInt(n), context);
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
        int la = a.load();
        int lb = b.load();
        // Selects rather than two calls, so the compiler can use conditional moves for a coin-flip comparison.
        boolean aFirst = la < lb;
        if (la == lb) {
            aFirst = random.nextBoolean();
        }
        Backend better = aFirst ? a : b;
        Backend other = aFirst ? b : a;
        return Candidates.twoChoices(list, better, other, context, j);
    }

    private static Backend leastUntried(Backend[] list, int start, PickContext context) {
        int n = list.length;
        Backend best = null;
        int bestLoad = Integer.MAX_VALUE;
        for (int k = 0; k < n; k++) {
            Backend b = list[Candidates.wrap(start + k, n)];
            int load = b.load();
            if (load < bestLoad && !context.wasTried(b)) {
                best = b;
                bestLoad = load;
            }
        }
        if (best != null && best.admits()) {
            return best;
        }
        return Candidates.firstAdmitted(list, start, context, best);
    }
}
