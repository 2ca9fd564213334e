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
    void retrySkipsTriedBackendsAndLeavesTheRotationAlone() {
        List<Backend> list = backends(4);
        Picker picker = picker(LbPolicy.ROUND_ROBIN, list);
        int start = indexOf(list, picker.pick(context(1)));
        for (int i = 0; i < 50; i++) {
            PickContext retry = context(2);
            retry.markTried(list.get((start + 1) % 4));
            retry.markTried(list.get((start + 2) % 4));
            assertThat(picker.pick(retry)).isIn(list.get(start), list.get((start + 3) % 4));
        }
        // Fifty retries later, the next new connection still gets the next turn.
        assertThat(picker.pick(context(3))).isSameAs(list.get((start + 1) % 4));
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

    /**
     * Issue #13: backend A fails every connect, so each new connection that lands on A retries on B. Retries must not
     * advance the shared cursor, or every retry hands the next new connection to A again (19 of 20 clients waited
     * for the connect timeout).
     */
    @Test
    void retriesAwayFromADeadBackendLeaveNewConnectionsAlternating() {
        List<Backend> list = backends(2);
        Backend dead = list.get(0);
        Picker picker = picker(LbPolicy.ROUND_ROBIN, list);
        Backend previousFirst = null;
        int firstOnDead = 0;
        for (int i = 0; i < 20; i++) {
            PickContext ctx = context(i);
            Backend first = picker.pick(ctx);
            if (previousFirst != null) {
                assertThat(first).as("connection %d", i).isNotSameAs(previousFirst);
            }
            if (first == dead) {
                firstOnDead++;
                ctx.markTried(dead);
                assertThat(picker.pick(ctx)).isSameAs(list.get(1));
            }
            previousFirst = first;
        }
        assertThat(firstOnDead).isEqualTo(10);
    }

    @Test
    void aFullBackendHandsItsTurnToTheNextIndex() {
        List<Backend> list = backends(3);
        list.get(1).maxConnections(1);
        list.get(1).activeConnections(1);
        Picker picker = picker(LbPolicy.ROUND_ROBIN, list);
        int[] counts = new int[3];
        for (int i = 0; i < 300; i++) {
            counts[indexOf(list, picker.pick(context(i)))]++;
        }
        assertThat(counts).containsExactly(100, 0, 200);
    }
}
