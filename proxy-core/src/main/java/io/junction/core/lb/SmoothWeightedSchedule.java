package io.junction.core.lb;

import java.util.Arrays;

/**
 * Computes one cycle of nginx's smooth weighted round robin (SWRR): at every step each backend's current value grows
 * by its weight, the backend with the largest value (lowest index on a tie) is chosen and its value drops by the total
 * weight. Over a cycle of {@code sum(weights)} steps every backend is chosen exactly its weight times, and the choices
 * are interleaved as evenly as the weights allow (weights 5,1,1 give a,a,b,a,c,a,a rather than a,a,a,a,a,b,c).
 *
 * <p>Computed once per picker build, so the cost matters only on the control thread. A naive step scans every
 * backend; here backends of equal weight form one class, because inside a class the winner is always the member with
 * the fewest choices so far, lowest index first, i.e. the class rotates through its members in index order. A step then
 * scans the distinct weights only, which number at most 361 for any cycle of up to 65,536 steps (1+2+...+362 exceeds
 * it), so the worst case stays around 24 million cheap operations and the usual case (few distinct weights) is linear.
 *
 * <p>Stateless; thread-safe.
 */
final class SmoothWeightedSchedule {
    private SmoothWeightedSchedule() {
    }

    /** Greatest common divisor of all weights (each >= 1). */
    static int gcd(int[] weights) {
        int g = 0;
        for (int w : weights) {
            int a = g;
            int b = w;
            while (b != 0) {
                int t = a % b;
                a = b;
                b = t;
            }
            g = a;
        }
        return g;
    }

    /**
     * One SWRR cycle over {@code weights} (each >= 1, already reduced by their gcd if wanted), as backend indices, or
     * {@code null} when the cycle would be longer than {@code maxLength}.
     */
    static int[] cycle(int[] weights, int maxLength) {
        long total = 0;
        for (int w : weights) {
            total += w;
        }
        if (total > maxLength) {
            return null;
        }
        WeightClass[] classes = classes(weights);
        int[] sequence = new int[(int) total];
        for (int t = 1; t <= total; t++) {
            WeightClass best = null;
            long bestValue = Long.MIN_VALUE;
            for (WeightClass c : classes) {
                // The class candidate has been chosen `rounds` times; its SWRR value after t additions.
                long value = (long) t * c.weight - (long) c.rounds * total;
                if (best == null || value > bestValue
                        || (value == bestValue && c.members[c.next] < best.members[best.next])) {
                    best = c;
                    bestValue = value;
                }
            }
            sequence[t - 1] = best.members[best.next];
            if (++best.next == best.members.length) {
                best.next = 0;
                best.rounds++;
            }
        }
        return sequence;
    }

    private static WeightClass[] classes(int[] weights) {
        int[] distinct = Arrays.stream(weights).distinct().sorted().toArray();
        WeightClass[] classes = new WeightClass[distinct.length];
        for (int c = 0; c < distinct.length; c++) {
            int w = distinct[c];
            int[] members = new int[weights.length];
            int count = 0;
            for (int i = 0; i < weights.length; i++) {
                if (weights[i] == w) {
                    members[count++] = i;
                }
            }
            classes[c] = new WeightClass(w, Arrays.copyOf(members, count));
        }
        return classes;
    }

    /** Backends sharing one weight, rotated in index order; confined to one {@link #cycle} call. */
    private static final class WeightClass {
        final int weight;
        final int[] members;
        int next;
        int rounds;

        WeightClass(int weight, int[] members) {
            this.weight = weight;
            this.members = members;
        }
    }
}
