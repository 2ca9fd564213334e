package io.junction.core.lb;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.junction.core.lb.LbFixtures.context;
import static io.junction.core.lb.LbFixtures.indexOf;
import static io.junction.core.lb.LbFixtures.weighted;
import static org.assertj.core.api.Assertions.assertThat;

class WeightedPickerTest {

    /** nginx's SWRR, written the obvious O(n)-per-step way, as the reference for the grouped computation. */
    private static int[] referenceSwrr(int[] weights) {
        int total = Arrays.stream(weights).sum();
        long[] current = new long[weights.length];
        int[] sequence = new int[total];
        for (int t = 0; t < total; t++) {
            int best = -1;
            for (int i = 0; i < weights.length; i++) {
                current[i] += weights[i];
                if (best < 0 || current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            sequence[t] = best;
        }
        return sequence;
    }

    static Stream<Arguments> knownCycles() {
        return Stream.of(
                Arguments.of(new int[] {1, 2, 3}, new int[] {2, 1, 0, 2, 1, 2}),
                Arguments.of(new int[] {5, 1, 1}, new int[] {0, 0, 1, 0, 2, 0, 0}),
                Arguments.of(new int[] {2, 4, 6}, new int[] {2, 1, 0, 2, 1, 2}),
                Arguments.of(new int[] {7, 7, 7}, new int[] {0, 1, 2}),
                Arguments.of(new int[] {1000}, new int[] {0}));
    }

    @ParameterizedTest
    @MethodSource("knownCycles")
    void picksWalkTheSmoothCycleExactly(int[] weights, int[] cycle) {
        List<Backend> list = weighted(weights);
        WeightedPicker picker = new WeightedPicker(list);
        assertThat(picker.usesSequence()).isTrue();
        assertThat(picker.cycleLength()).isEqualTo(cycle.length);
        int[] picks = new int[cycle.length * 20];
        for (int i = 0; i < picks.length; i++) {
            picks[i] = indexOf(list, picker.pick(context(1)));
        }
        // The cursor starts at a random offset: the picks are the cycle, rotated.
        int offset = -1;
        for (int r = 0; r < cycle.length && offset < 0; r++) {
            boolean match = true;
            for (int i = 0; i < picks.length && match; i++) {
                match = picks[i] == cycle[(r + i) % cycle.length];
            }
            offset = match ? r : -1;
        }
        assertThat(offset).as("picks %s are a rotation of %s", Arrays.toString(picks), Arrays.toString(cycle))
                .isNotNegative();
    }

    @Test
    void weightsOneTwoThreeAreExactInEveryWindowOfOneCycle() {
        List<Backend> list = weighted(1, 2, 3);
        Picker picker = new WeightedPicker(list);
        int[] picks = new int[600];
        for (int i = 0; i < picks.length; i++) {
            picks[i] = indexOf(list, picker.pick(context(i)));
        }
        for (int start = 0; start + 6 <= picks.length; start++) {
            int[] counts = new int[3];
            for (int i = start; i < start + 6; i++) {
                counts[picks[i]]++;
            }
            assertThat(counts).containsExactly(1, 2, 3);
        }
        // Smooth: the weight-3 backend never comes three times in a row (a bunched order would do 2,2,2).
        assertThat(maxRun(picks, 2)).isLessThanOrEqualTo(2);
        assertThat(maxRun(picks, 1)).isEqualTo(1);
        assertThat(maxRun(picks, 0)).isEqualTo(1);
    }

    /** Seeded random weight sets: grouped computation equals the reference, and the cycle is smooth. */
    @Test
    void scheduleMatchesReferenceAndIsSmooth() {
        Random random = new Random(20240601);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + random.nextInt(30);
            int[] weights = new int[n];
            for (int i = 0; i < n; i++) {
                weights[i] = 1 + random.nextInt(random.nextBoolean() ? 5 : 1000);
            }
            int[] cycle = SmoothWeightedSchedule.cycle(weights, WeightedPicker.MAX_SEQUENCE);
            if (cycle == null) {
                assertThat(Arrays.stream(weights).sum()).isGreaterThan(WeightedPicker.MAX_SEQUENCE);
                continue;
            }
            assertThat(cycle).as("weights %s", Arrays.toString(weights)).isEqualTo(referenceSwrr(weights));
            int total = cycle.length;
            int[] chosen = new int[n];
            double maxDrift = 0;
            for (int t = 0; t < total; t++) {
                chosen[cycle[t]]++;
                for (int i = 0; i < n; i++) {
                    maxDrift = Math.max(maxDrift, Math.abs(chosen[i] - (t + 1.0) * weights[i] / total));
                }
            }
            // Every prefix stays within 2 picks of the ideal share; bunching would drift by up to w_i.
            assertThat(maxDrift).as("weights %s", Arrays.toString(weights)).isLessThan(2.0);
            for (int i = 0; i < n; i++) {
                assertThat(chosen[i]).isEqualTo(weights[i]);
                if (weights[i] < total) {
                    // Cyclic runs are at most twice the shortest possible (the cycle boundary can join two runs).
                    int needed = (weights[i] + total - weights[i] - 1) / (total - weights[i]);
                    int[] twice = new int[total * 2];
                    for (int t = 0; t < twice.length; t++) {
                        twice[t] = cycle[t % total];
                    }
                    assertThat(maxRun(twice, i)).isLessThanOrEqualTo(2 * needed);
                }
            }
        }
    }

    @Test
    void gcdIsReducedSoTheCycleStaysShort() {
        WeightedPicker picker = new WeightedPicker(weighted(300, 600, 900));
        assertThat(picker.cycleLength()).isEqualTo(6);
        assertThat(SmoothWeightedSchedule.gcd(new int[] {12, 18, 30})).isEqualTo(6);
        assertThat(SmoothWeightedSchedule.gcd(new int[] {7})).isEqualTo(7);
    }

    @Test
    void bigDiverseWeightsFallBackToWeightedRandomWithCorrectProportions() {
        int n = 70;
        int[] weights = new int[n];
        Arrays.fill(weights, 997);
        weights[0] = 1;
        weights[1] = 500;
        long total = Arrays.stream(weights).asLongStream().sum();
        List<Backend> list = weighted(weights);
        WeightedPicker picker = new WeightedPicker(list);
        assertThat(picker.usesSequence()).isFalse();
        int picks = 1_000_000;
        int[] counts = new int[n];
        PickContext ctx = context(1);
        for (int i = 0; i < picks; i++) {
            counts[indexOf(list, picker.pick(ctx))]++;
        }
        for (int i = 1; i < n; i++) {
            double expected = (double) picks * weights[i] / total;
            assertThat(Math.abs(counts[i] - expected) / expected).as("backend %d", i).isLessThan(0.06);
        }
        assertThat(counts[0]).isBetween(1, 60);
    }

    @Test
    void prefixSearchMapsEveryDrawToItsRange() {
        long[] prefix = {1, 3, 6, 10};
        int[] expected = {0, 1, 1, 2, 2, 2, 3, 3, 3, 3};
        for (int r = 0; r < expected.length; r++) {
            assertThat(WeightedPicker.indexOf(prefix, r)).as("r=%d", r).isEqualTo(expected[r]);
        }
    }

    @Test
    void retryDrawsByWeightAmongUntried() {
        List<Backend> list = weighted(1, 1, 8);
        Picker picker = new WeightedPicker(list);
        PickContext ctx = context(1);
        ctx.markTried(list.get(0));
        int[] counts = new int[3];
        for (int i = 0; i < 45_000; i++) {
            counts[indexOf(list, picker.pick(ctx))]++;
        }
        assertThat(counts[0]).isZero();
        // 1:8 between the two untried backends.
        assertThat((double) counts[2] / counts[1]).isBetween(7.0, 9.0);
    }

    private static int maxRun(int[] picks, int backend) {
        int run = 0;
        int max = 0;
        for (int p : picks) {
            run = p == backend ? run + 1 : 0;
            max = Math.max(max, run);
        }
        return max;
    }
}
