package io.junction.core.lb;

import io.junction.core.model.LbPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static io.junction.core.lb.LbFixtures.backends;
import static io.junction.core.lb.LbFixtures.context;
import static io.junction.core.lb.LbFixtures.indexOf;
import static io.junction.core.lb.LbFixtures.picker;
import static org.assertj.core.api.Assertions.assertThat;

class RoundRobinPickerTest {

    @ParameterizedTest(name = "n={0} cycles={1}")
    @CsvSource({"1, 10", "2, 7", "3, 100", "16, 50", "1024, 5"})
    void exactSpreadOverWholeCycles(int n, int cycles) {
        List<Backend> list = backends(n);
        Picker picker = picker(LbPolicy.ROUND_ROBIN, list);
        int[] counts = new int[n];
        PickContext ctx = context(1);
        Backend previous = null;
        for (int i = 0; i < n * cycles; i++) {
            Backend b = picker.pick(ctx);
            counts[indexOf(list, b)]++;
            if (previous != null && n > 1) {
                // Consecutive picks are consecutive backends, wrapping around.
                assertThat(indexOf(list, b)).isEqualTo((indexOf(list, previous) + 1) % n);
            }
            previous = b;
        }
        for (int c : counts) {
            assertThat(c).isEqualTo(cycles);
        }
    }

    @Test
    void skipsTriedBackendsInRotationOrder() {
        List<Backend> list = backends(4);
        Picker picker = picker(LbPolicy.ROUND_ROBIN, list);
        Backend first = picker.pick(context(1));
        int start = indexOf(list, first);
        PickContext ctx = context(2);
        // The cursor now points at start+1; trying it and start+2 makes the picker land on start+3.
        ctx.markTried(list.get((start + 1) % 4));
        ctx.markTried(list.get((start + 2) % 4));
        assertThat(picker.pick(ctx)).isSameAs(list.get((start + 3) % 4));
    }

    @Test
    void twoBackendsAlternateAwayFromTheFailedOne() {
        List<Backend> list = backends(2);
        Picker picker = picker(LbPolicy.ROUND_ROBIN, list);
        for (int i = 0; i < 100; i++) {
            PickContext ctx = context(i);
            Backend first = picker.pick(ctx);
            ctx.markTried(first);
            Backend second = picker.pick(ctx);
            assertThat(second).isNotSameAs(first);
            ctx.markTried(second);
            // Both failed: the retry goes to the one that did not fail last.
            assertThat(picker.pick(ctx)).isSameAs(first);
        }
    }
}
