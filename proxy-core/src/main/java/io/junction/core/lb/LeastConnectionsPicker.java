package io.junction.core.lb;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Least connections by the power of two random choices: sample two distinct backends and take the one with fewer
 * {@linkplain Backend#activeConnections() active connections}, a coin flip deciding ties. Sampling two instead of
 * scanning all keeps the pick O(1) for any endpoint count and avoids the herd effect of every event loop sending its
 * next connection to the same momentarily least-loaded backend (Mitzenmacher; also Envoy's and Finagle's choice).
 *
 * <p>On a retry (the connection already tried some backend) it scans every backend and takes the untried one with
 * the fewest connections, starting at a random index so ties spread; retries are rare, so the O(n) scan is cheap
 * overall.
 *
 * <p>Thread-safe, lock-free, allocation-free. Connection counts are read without synchronization; a stale count only
 * makes one choice slightly less balanced.
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
            return n == 0 ? null : list[0];
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (context != null && context.attempts() > 0) {
            return leastUntried(list, random.nextInt(n), context);
        }
        int i = random.nextInt(n);
        int j = random.nextInt(n - 1);
        if (j >= i) {
            j++;
        }
        Backend a = list[i];
        Backend b = list[j];
        int ca = a.activeConnections();
        int cb = b.activeConnections();
        if (ca != cb) {
            return ca < cb ? a : b;
        }
        return random.nextBoolean() ? a : b;
    }

    private static Backend leastUntried(Backend[] list, int start, PickContext context) {
        int n = list.length;
        Backend best = null;
        int bestCount = Integer.MAX_VALUE;
        for (int k = 0; k < n; k++) {
            int idx = start + k;
            Backend b = list[idx >= n ? idx - n : idx];
            int count = b.activeConnections();
            if (count < bestCount && !context.wasTried(b)) {
                best = b;
                bestCount = count;
            }
        }
        return best != null ? best : Pickers.fallback(list, start, context);
    }
}
