package io.junction.core.lb;

import io.junction.core.model.LbPolicy;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.junction.core.lb.LbFixtures.backends;
import static io.junction.core.lb.LbFixtures.context;
import static io.junction.core.lb.LbFixtures.picker;
import static org.assertj.core.api.Assertions.assertThat;

class PeakEwmaPickerTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int CONNECTIONS = 10_000;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    /**
     * Simulated traffic: a connection every millisecond, each connect taking {@code latencies[i]} on backend i,
     * each connection held for the next {@code held} arrivals. Returns how many connections each backend got.
     */
    private int[] simulate(List<Backend> list, long[] latencies, int held) {
        Picker picker = picker(LbPolicy.PEAK_EWMA, list);
        ArrayDeque<Backend> open = new ArrayDeque<>();
        int[] counts = new int[list.size()];
        for (int c = 0; c < CONNECTIONS; c++) {
            clock.addAndGet(MS);
            Backend b = picker.pick(context(c));
            int i = LbFixtures.indexOf(list, b);
            counts[i]++;
            b.onConnectSuccess(latencies[i]);
            b.onConnectionOpened();
            open.addLast(b);
            if (open.size() > held) {
                open.removeFirst().onConnectionClosed();
            }
        }
        return counts;
    }

    @Test
    void aBackendThatConnectsTwentyMillisecondsSlowerGetsClearlyFewerConnections() {
        List<Backend> list = backends(2, clock::get);
        int[] counts = simulate(list, new long[] {MS, 21 * MS}, 20);
        double slowShare = (double) counts[1] / CONNECTIONS;
        assertThat(slowShare).isLessThan(0.25);
        // Not starved: as the fast one's load grows, the slow one is worth a connection now and then.
        assertThat(counts[1]).isPositive();
    }

    @Test
    void equalLatenciesSplitEvenly() {
        List<Backend> list = backends(2, clock::get);
        int[] counts = simulate(list, new long[] {2 * MS, 2 * MS}, 20);
        assertThat((double) counts[0] / CONNECTIONS).isBetween(0.45, 0.55);
    }

    @Test
    void moreOutstandingConnectionsOutweighALowerLatency() {
        List<Backend> list = backends(2, clock::get);
        list.get(0).onConnectSuccess(MS);
        list.get(1).onConnectSuccess(3 * MS);
        list.get(0).activeConnections(5);
        Picker picker = picker(LbPolicy.PEAK_EWMA, list);
        // 1 ms x 6 against 3 ms x 1.
        assertThat(picker.pick(context(1))).isSameAs(list.get(1));
        list.get(0).activeConnections(1);
        // 1 ms x 2 against 3 ms x 1.
        assertThat(picker.pick(context(1))).isSameAs(list.get(0));
    }

    /** After a failed connect the backend is probed by one connection at a time until a connect succeeds. */
    @Test
    void aFailedBackendIsProbedOneConnectionAtATime() {
        List<Backend> list = backends(3, clock::get);
        list.forEach(b -> b.onConnectSuccess(MS));
        Backend failing = list.get(2);
        failing.onConnectFailure();
        Picker picker = picker(LbPolicy.PEAK_EWMA, list);
        int c = 0;
        while (picker.pick(context(c)) != failing) {
            c++;
            assertThat(c).isLessThan(1_000);
        }
        failing.onConnectStarted();
        for (int i = 0; i < 1_000; i++) {
            assertThat(picker.pick(context(i))).isNotSameAs(failing);
        }
        failing.onConnectFinished();
        failing.onConnectSuccess(MS);
        int probes = 0;
        for (int i = 0; i < 3_000; i++) {
            if (picker.pick(context(i)) == failing) {
                probes++;
            }
        }
        assertThat(probes).isBetween(800, 1200);
    }
}
