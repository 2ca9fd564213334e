package io.junction.core.lb;

import io.junction.core.model.LbPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static io.junction.core.lb.LbFixtures.backends;
import static io.junction.core.lb.LbFixtures.context;
import static io.junction.core.lb.LbFixtures.indexOf;
import static io.junction.core.lb.LbFixtures.picker;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every policy consults {@link Backend#admits()} for the backend it is about to return: a full backend, or one whose
 * test permits are taken, hands the connection to another; none admitting means no backend; and admission is asked
 * only of the backend returned, so a recovering backend's test permits are never wasted.
 */
class AdmissionTest {
    private static final int PICKS = 3_000;

    private static void fill(Backend b, int cap) {
        b.maxConnections(cap);
        b.activeConnections(cap);
    }

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void tryAnotherEndpointWhenOneIsFull(LbPolicy policy) {
        List<Backend> list = backends(3);
        fill(list.get(1), 2);
        list.get(0).maxConnections(1_000);
        Picker picker = picker(policy, list);
        int[] counts = new int[3];
        for (int i = 0; i < PICKS; i++) {
            Backend b = picker.pick(context(i));
            assertThat(b).as("policy=%s pick %d", policy, i).isNotNull();
            counts[indexOf(list, b)]++;
        }
        assertThat(counts[1]).as("policy=%s", policy).isZero();
        assertThat(counts[0]).isPositive();
        assertThat(counts[2]).isPositive();
    }

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void connectsInProgressCountTowardsTheCap(LbPolicy policy) {
        List<Backend> list = backends(2);
        list.get(0).maxConnections(1);
        list.get(0).onConnectStarted();
        Picker picker = picker(policy, list);
        for (int i = 0; i < 500; i++) {
            assertThat(picker.pick(context(i))).as("policy=%s", policy).isSameAs(list.get(1));
        }
    }

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void everyBackendFullFindsNothing(LbPolicy policy) {
        for (int n : new int[] {1, 2, 5}) {
            List<Backend> list = backends(n);
            list.forEach(b -> fill(b, 3));
            Picker picker = picker(policy, list);
            for (int i = 0; i < 200; i++) {
                assertThat(picker.pick(context(i))).as("policy=%s n=%d", policy, n).isNull();
            }
            PickContext retry = context(7);
            retry.markTried(list.get(0));
            assertThat(picker.pick(retry)).as("policy=%s n=%d retry", policy, n).isNull();
            assertThat(picker.pick(null)).as("policy=%s n=%d no context", policy, n).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void backendWhoseTestPermitsAreTakenIsSkipped(LbPolicy policy) {
        List<Backend> list = backends(3);
        FakeOutcomes recovering = FakeOutcomes.refusing();
        list.get(2).outcomes(recovering);
        Picker picker = picker(policy, list);
        for (int i = 0; i < PICKS; i++) {
            assertThat(picker.pick(context(i))).as("policy=%s", policy).isIn(list.get(0), list.get(1));
        }
        assertThat(recovering.granted.get()).isZero();
    }

    /** A recovering backend with three test permits takes exactly three connections: no permit is asked for in vain. */
    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void admissionIsAskedOnlyOfTheBackendReturned(LbPolicy policy) {
        List<Backend> list = backends(4);
        FakeOutcomes[] outcomes = new FakeOutcomes[4];
        for (int i = 0; i < 4; i++) {
            outcomes[i] = i == 3 ? FakeOutcomes.withPermits(3) : FakeOutcomes.admitting();
            list.get(i).outcomes(outcomes[i]);
        }
        Picker picker = picker(policy, list);
        int[] counts = new int[4];
        for (int i = 0; i < PICKS; i++) {
            counts[indexOf(list, picker.pick(context(i)))]++;
        }
        for (int i = 0; i < 4; i++) {
            assertThat(outcomes[i].granted.get()).as("policy=%s backend %d", policy, i).isEqualTo(counts[i]);
        }
        assertThat(counts[3]).as("policy=%s", policy).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void retryFindsNothingWhenTheOnlyUntriedBackendIsFull(LbPolicy policy) {
        List<Backend> list = backends(2);
        Picker picker = picker(policy, list);
        fill(list.get(1), 1);
        PickContext ctx = context(1);
        ctx.markTried(list.get(0));
        // The last failure is not retried while another backend exists, even a full one.
        assertThat(picker.pick(ctx)).as("policy=%s", policy).isNull();
        // With room again the retry goes there.
        list.get(1).activeConnections(0);
        assertThat(picker.pick(ctx)).isSameAs(list.get(1));
    }

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void retryPrefersAnUntriedBackendWithRoom(LbPolicy policy) {
        List<Backend> list = backends(4);
        Picker picker = picker(policy, list);
        fill(list.get(2), 1);
        for (int i = 0; i < 200; i++) {
            PickContext ctx = context(i);
            ctx.markTried(list.get(0));
            ctx.markTried(list.get(1));
            assertThat(picker.pick(ctx)).as("policy=%s", policy).isSameAs(list.get(3));
        }
    }
}
