package io.junction.core.lb;

import io.junction.core.model.LbPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static io.junction.core.lb.LbFixtures.backends;
import static io.junction.core.lb.LbFixtures.context;
import static io.junction.core.lb.LbFixtures.picker;
import static org.assertj.core.api.Assertions.assertThat;

/** The {@link Picker} contract, checked for every policy. */
class PickerContractTest {

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void emptyServiceFindsNothing(LbPolicy policy) {
        Picker picker = picker(policy, List.of());
        assertThat(picker.pick(context(1))).isNull();
        assertThat(picker.pick(null)).isNull();
    }

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void singleTriedBackendIsStillReturnedForRetry(LbPolicy policy) {
        List<Backend> list = backends(1);
        Picker picker = picker(policy, list);
        PickContext ctx = context(1);
        assertThat(picker.pick(ctx)).isSameAs(list.get(0));
        ctx.markTried(list.get(0));
        assertThat(picker.pick(ctx)).isSameAs(list.get(0));
    }

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void nullContextIsServed(LbPolicy policy) {
        List<Backend> list = backends(3);
        assertThat(picker(policy, list).pick(null)).isIn(list);
    }

    /** Table: backend count, how many of them the connection tried (seeded choice of which). */
    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void prefersUntriedBackends(LbPolicy policy) {
        int[][] table = {{2, 1}, {3, 1}, {3, 2}, {5, 4}, {16, 3}, {16, 15}, {64, 16}};
        Random random = new Random(42);
        for (int[] row : table) {
            int n = row[0];
            int triedCount = row[1];
            List<Backend> list = backends(n);
            Picker picker = picker(policy, list);
            for (int round = 0; round < 200; round++) {
                PickContext ctx = context(round);
                Set<Backend> tried = new HashSet<>();
                while (tried.size() < triedCount) {
                    Backend b = list.get(random.nextInt(n));
                    if (tried.add(b)) {
                        ctx.markTried(b);
                    }
                }
                Backend picked = picker.pick(ctx);
                assertThat(tried).as("policy=%s n=%d tried=%d", policy, n, triedCount).doesNotContain(picked);
                assertThat(list).contains(picked);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void neverReturnsLastTriedWhileAnotherExists(LbPolicy policy) {
        for (int n : new int[] {2, 3, 8}) {
            List<Backend> list = backends(n);
            Picker picker = picker(policy, list);
            for (int round = 0; round < 300; round++) {
                PickContext ctx = context(round);
                // Everything tried, in a rotating order: the picker must retry one, but not the last failure.
                for (int i = 0; i < n; i++) {
                    ctx.markTried(list.get((round + i) % n));
                }
                Backend picked = picker.pick(ctx);
                assertThat(picked).as("policy=%s n=%d", policy, n).isNotNull().isNotSameAs(ctx.lastTried());
                assertThat(list).contains(picked);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void retrySequenceVisitsEveryBackendOnce(LbPolicy policy) {
        List<Backend> list = backends(6);
        Picker picker = picker(policy, list);
        for (int round = 0; round < 50; round++) {
            PickContext ctx = context(round);
            Set<Backend> seen = new HashSet<>();
            for (int attempt = 0; attempt < list.size(); attempt++) {
                Backend b = picker.pick(ctx);
                assertThat(seen.add(b)).as("policy=%s attempt=%d repeated %s", policy, attempt, b).isTrue();
                ctx.markTried(b);
            }
            assertThat(seen).hasSize(list.size());
        }
    }

    /**
     * Issue #13: one of two backends fails every connect, so each connection that lands on it first retries on the
     * other. The retries must not steer new connections onto the dead one: it stays the first pick of about half.
     */
    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void retriesAwayFromADeadBackendDoNotSendNewConnectionsToIt(LbPolicy policy) {
        List<Backend> list = backends(2);
        Backend dead = list.get(0);
        Picker picker = picker(policy, list);
        int connections = 2_000;
        int firstOnDead = 0;
        for (int i = 0; i < connections; i++) {
            PickContext ctx = context(i);
            if (picker.pick(ctx) == dead) {
                firstOnDead++;
                ctx.markTried(dead);
                assertThat(picker.pick(ctx)).as("policy=%s retry", policy).isSameAs(list.get(1));
            }
        }
        assertThat(firstOnDead).as("policy=%s", policy).isBetween(connections * 4 / 10, connections * 6 / 10);
    }
}
