package io.junction.core.lb;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Weighted balancing over the {@linkplain Backend#weight() endpoint weights} read when the picker is built (a weight
 * change makes the control thread build a new picker).
 *
 * <p><b>Sequence mode</b> (the usual case). Weights are reduced by their gcd and one cycle of nginx's smooth weighted
 * round robin is precomputed ({@link SmoothWeightedSchedule}); a shared {@link AtomicInteger} cursor walks it. Every
 * cycle honours the weights exactly, choices of one backend are spread through the cycle instead of bunched, and a pick
 * costs one atomic increment and two array reads, like plain round robin. The cursor starts at a random offset so
 * proxies rebuilt at the same moment do not all send their next connection to the same backend.
 *
 * <p><b>Random mode</b>. When one cycle would exceed {@value #MAX_SEQUENCE} entries (diverse weights over many
 * endpoints) the table would cost too much memory (one int per entry per service), so the picker draws a weighted
 * random number instead: prefix sums and a binary search, O(log n), no shared state. Proportions are then exact only in
 * expectation.
 *
 * <p><b>Retries</b> (the connection already tried a backend), in both modes: a weighted random draw among the untried
 * backends, O(n) without allocation; retries are rare and walking the sequence could take a whole cycle to find an
 * untried backend. Retries never touch the cursor, so a dead backend's retries do not shift the cycle onto it again.
 *
 * <p><b>Health.</b> A backend {@linkplain Backend#passesSlowStart() ramping up} that loses its draw hands the
 * connection to the next entries of the cycle (or to a fresh draw in random mode), at most {@value #SLOW_START_TRIES}
 * times, so its share shrinks in proportion and the others keep their weights. A backend that refuses
 * {@linkplain Backend#admits() admission} (full, or its test permits taken) hands the connection to a scan from a
 * random index, so its overflow spreads evenly; null when no backend admits it.
 *
 * <p>Thread-safe, lock-free, allocation-free. The sequence cursor wraps after 2^31 picks, restarting the cycle once.
 */
final class WeightedPicker implements Picker {
    /** Longest precomputed cycle; beyond it the picker uses weighted random. */
    static final int MAX_SEQUENCE = 65_536;
    /** Choices a new connection may pass over because of slow start before it keeps the last one. */
    static final int SLOW_START_TRIES = 8;

    private final Backend[] backends;
    private final int[] weights;
    /** Backend indices of one SWRR cycle, or null in random mode. */
    private final int[] sequence;
    /** prefix[i] = weights[0] + ... + weights[i]; used in random mode. */
    private final long[] prefix;
    private final AtomicInteger cursor;

    WeightedPicker(List<Backend> backends) {
        this.backends = backends.toArray(new Backend[0]);
        int n = this.backends.length;
        int[] raw = new int[n];
        for (int i = 0; i < n; i++) {
            raw[i] = this.backends[i].weight();
        }
        int g = Math.max(1, SmoothWeightedSchedule.gcd(raw));
        this.weights = Arrays.stream(raw).map(w -> w / g).toArray();
        this.sequence = n == 0 ? null : SmoothWeightedSchedule.cycle(weights, MAX_SEQUENCE);
        this.prefix = new long[n];
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += weights[i];
            prefix[i] = sum;
        }
        int cycle = sequence == null ? 1 : sequence.length;
        this.cursor = new AtomicInteger(ThreadLocalRandom.current().nextInt(cycle));
    }

    /** Whether picks walk a precomputed SWRR cycle (true) or draw weighted random numbers (false). */
    boolean usesSequence() {
        return sequence != null;
    }

    /** Length of one cycle in sequence mode (the sum of the gcd-reduced weights). */
    long cycleLength() {
        return prefix.length == 0 ? 0 : prefix[prefix.length - 1];
    }

    @Override
    public Backend pick(PickContext context) {
        Backend[] list = backends;
        int n = list.length;
        if (n <= 1) {
            return n == 0 ? null : Candidates.only(list[0]);
        }
        if (context != null && context.attempts() > 0) {
            return weightedUntried(context);
        }
        Backend chosen = firstChoice(list);
        return chosen.admits() ? chosen
                : Candidates.firstAdmitted(list, ThreadLocalRandom.current().nextInt(n), context, chosen);
    }

    /** The next entry of the cycle (or a weighted draw), passing over backends that lose their slow-start draw. */
    private Backend firstChoice(Backend[] list) {
        int[] seq = sequence;
        if (seq != null) {
            int c = (cursor.getAndIncrement() & Integer.MAX_VALUE) % seq.length;
            Backend chosen = list[seq[c]];
            // Peeks at the entries after this one without advancing the shared cursor.
            for (int k = 1; k < SLOW_START_TRIES && !chosen.passesSlowStart(); k++) {
                chosen = list[seq[(c + k) % seq.length]];
            }
            return chosen;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Backend chosen = list[indexOf(prefix, random.nextLong(prefix[prefix.length - 1]))];
        for (int k = 1; k < SLOW_START_TRIES && !chosen.passesSlowStart(); k++) {
            chosen = list[indexOf(prefix, random.nextLong(prefix[prefix.length - 1]))];
        }
        return chosen;
    }

    /** The index whose weight range contains {@code r}: the first i with prefix[i] > r. */
    static int indexOf(long[] prefix, long r) {
        // prefix is strictly increasing; searching r + 1 finds that index exactly or as the insertion point.
        int pos = Arrays.binarySearch(prefix, r + 1);
        return pos >= 0 ? pos : -pos - 1;
    }

    private Backend weightedUntried(PickContext context) {
        Backend[] list = backends;
        long total = 0;
        for (int i = 0; i < list.length; i++) {
            if (!context.wasTried(list[i])) {
                total += weights[i];
            }
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (total == 0) {
            return Candidates.firstAdmitted(list, random.nextInt(list.length), context, null);
        }
        Backend chosen = null;
        long r = random.nextLong(total);
        for (int i = 0; i < list.length && chosen == null; i++) {
            if (!context.wasTried(list[i])) {
                r -= weights[i];
                if (r < 0) {
                    chosen = list[i];
                }
            }
        }
        if (chosen == null) {
            throw new AssertionError("weighted draw ran past the untried total");
        }
        return chosen.admits() ? chosen
                : Candidates.firstAdmitted(list, random.nextInt(list.length), context, chosen);
    }
}
