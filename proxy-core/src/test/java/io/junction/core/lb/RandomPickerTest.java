package io.junction.core.lb;

import io.junction.core.model.LbPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static io.junction.core.lb.LbFixtures.backends;
import static io.junction.core.lb.LbFixtures.context;
import static io.junction.core.lb.LbFixtures.indexOf;
import static io.junction.core.lb.LbFixtures.picker;
import static org.assertj.core.api.Assertions.assertThat;

class RandomPickerTest {
    private static final int PICKS = 100_000;

    /** Table: backends, allowed relative deviation from the uniform share (several standard deviations wide). */
    @ParameterizedTest(name = "n={0} tolerance={1}")
    @CsvSource({"2, 0.03", "3, 0.04", "10, 0.08", "64, 0.25"})
    void roughlyUniform(int n, double tolerance) {
        List<Backend> list = backends(n);
        Picker picker = picker(LbPolicy.RANDOM, list);
        int[] counts = new int[n];
        PickContext ctx = context(1);
        for (int i = 0; i < PICKS; i++) {
            counts[indexOf(list, picker.pick(ctx))]++;
        }
        double expected = (double) PICKS / n;
        for (int c : counts) {
            assertThat(Math.abs(c - expected) / expected).isLessThan(tolerance);
        }
    }

    @ParameterizedTest(name = "n={0} tried={1}")
    @CsvSource({"3, 1", "3, 2", "10, 5"})
    void triedBackendsAreExcludedAndTheRestStaySpread(int n, int triedCount) {
        List<Backend> list = backends(n);
        Picker picker = picker(LbPolicy.RANDOM, list);
        PickContext ctx = context(1);
        for (int i = 0; i < triedCount; i++) {
            ctx.markTried(list.get(i));
        }
        int[] counts = new int[n];
        for (int i = 0; i < 30_000; i++) {
            counts[indexOf(list, picker.pick(ctx))]++;
        }
        for (int i = 0; i < n; i++) {
            if (i < triedCount) {
                assertThat(counts[i]).isZero();
            } else {
                assertThat(counts[i]).isPositive();
            }
        }
    }
}
