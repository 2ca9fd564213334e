package io.junction.core.lb;

import io.junction.core.model.LbPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static io.junction.core.lb.LbFixtures.backends;
import static io.junction.core.lb.LbFixtures.context;
import static io.junction.core.lb.LbFixtures.indexOf;
import static io.junction.core.lb.LbFixtures.picker;
import static org.assertj.core.api.Assertions.assertThat;

class LeastConnectionsPickerTest {

    @Test
    void twoBackendsAlwaysGoToTheLessLoaded() {
        List<Backend> list = backends(2);
        list.get(0).activeConnections(5);
        list.get(1).activeConnections(4);
        Picker picker = picker(LbPolicy.LEAST_CONNECTIONS, list);
        for (int i = 0; i < 1000; i++) {
            assertThat(picker.pick(context(i))).isSameAs(list.get(1));
        }
    }

    /** One idle backend among loaded ones is in the sampled pair with probability 2/n, and then always wins. */
    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {3, 4, 8})
    void stronglyPrefersTheIdleBackend(int n) {
        List<Backend> list = backends(n);
        for (int i = 1; i < n; i++) {
            list.get(i).activeConnections(100);
        }
        Picker picker = picker(LbPolicy.LEAST_CONNECTIONS, list);
        int picks = 60_000;
        int idle = 0;
        PickContext ctx = context(1);
        for (int i = 0; i < picks; i++) {
            if (picker.pick(ctx) == list.get(0)) {
                idle++;
            }
        }
        double share = (double) idle / picks;
        assertThat(share).isBetween(2.0 / n - 0.02, 2.0 / n + 0.02);
        // A loaded backend gets (1 - 2/n) / (n - 1) each: far less than the idle one.
        assertThat(share).isGreaterThan(1.0 / n * 1.5);
    }

    @Test
    void equalLoadsSpreadEvenly() {
        List<Backend> list = backends(4);
        Picker picker = picker(LbPolicy.LEAST_CONNECTIONS, list);
        int[] counts = new int[4];
        for (int i = 0; i < 40_000; i++) {
            counts[indexOf(list, picker.pick(context(1)))]++;
        }
        for (int c : counts) {
            assertThat(c).isBetween(9_000, 11_000);
        }
    }

    @Test
    void balancesWhenConnectionsAreHeld() {
        // Every pick opens a connection that stays open: counts must end up nearly equal.
        List<Backend> list = backends(5);
        Picker picker = picker(LbPolicy.LEAST_CONNECTIONS, list);
        for (int i = 0; i < 5_000; i++) {
            picker.pick(context(i)).onConnectionOpened();
        }
        for (Backend b : list) {
            assertThat(b.activeConnections()).isBetween(980, 1020);
        }
    }

    @Test
    void retryTakesTheLeastLoadedUntried() {
        List<Backend> list = backends(4);
        int[] loads = {1, 7, 3, 9};
        for (int i = 0; i < 4; i++) {
            list.get(i).activeConnections(loads[i]);
        }
        Picker picker = picker(LbPolicy.LEAST_CONNECTIONS, list);
        PickContext ctx = context(1);
        ctx.markTried(list.get(0));
        assertThat(picker.pick(ctx)).isSameAs(list.get(2));
        ctx.markTried(list.get(2));
        assertThat(picker.pick(ctx)).isSameAs(list.get(1));
    }

    /** Connects in progress are load: a backend that is slow to accept (or black-holed) is seen as busy meanwhile. */
    @Test
    void pendingConnectsCountAsLoad() {
        List<Backend> list = backends(2);
        Backend connecting = list.get(0);
        for (int i = 0; i < 5; i++) {
            connecting.onConnectStarted();
        }
        list.get(1).activeConnections(1);
        Picker picker = picker(LbPolicy.LEAST_CONNECTIONS, list);
        for (int i = 0; i < 1000; i++) {
            assertThat(picker.pick(context(i))).isSameAs(list.get(1));
        }
        // The connects failed: the backend is idle again and wins.
        for (int i = 0; i < 5; i++) {
            connecting.onConnectFinished();
        }
        assertThat(connecting.load()).isZero();
        assertThat(picker.pick(context(1))).isSameAs(connecting);
    }
}
