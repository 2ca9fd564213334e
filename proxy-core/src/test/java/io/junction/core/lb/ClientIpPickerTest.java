package io.junction.core.lb;

import io.junction.core.model.LbPolicy;
import io.junction.core.model.ServiceSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.junction.core.lb.LbFixtures.backends;
import static io.junction.core.lb.LbFixtures.context;
import static io.junction.core.lb.LbFixtures.indexOf;
import static io.junction.core.lb.LbFixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientIpPickerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final AffinityTable table = new AffinityTable(1000, clock::get);

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    private ClientIpPicker picker(List<Backend> list) {
        return new ClientIpPicker(list, TIMEOUT, table);
    }

    @Test
    void sameClientSameBackend() {
        List<Backend> list = backends(3);
        Picker picker = picker(list);
        Backend first = picker.pick(context(7));
        for (int i = 0; i < 1000; i++) {
            advance(Duration.ofMillis(5));
            assertThat(picker.pick(context(7))).isSameAs(first);
        }
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void differentClientsSpreadByRoundRobin() {
        List<Backend> list = backends(3);
        Picker picker = picker(list);
        int[] counts = new int[3];
        for (int c = 0; c < 100; c++) {
            counts[indexOf(list, picker.pick(context(c)))]++;
        }
        // New clients are placed by round robin: 34/33/33 in some order.
        for (int n : counts) {
            assertThat(n).isBetween(33, 34);
        }
        assertThat(table.size()).isEqualTo(100);
    }

    @Test
    void entryExpiresAfterIdleTimeoutAndHitsRefreshIt() {
        List<Backend> list = backends(2);
        ClientIpPicker picker = picker(list);
        Backend pinned = picker.pick(context(1));
        // Hits keep the entry alive far past one timeout.
        for (int i = 0; i < 5; i++) {
            advance(TIMEOUT.minusSeconds(1));
            assertThat(picker.pick(context(1))).isSameAs(pinned);
        }
        // Idle for the whole timeout: the next connection is placed afresh, by round robin (the other backend).
        advance(TIMEOUT);
        Backend after = picker.pick(context(1));
        assertThat(after).isNotSameAs(pinned);
        // And the new pin holds.
        assertThat(picker.pick(context(1))).isSameAs(after);
    }

    @Test
    void expireStaleRemovesOnlyIdleEntries() {
        ClientIpPicker picker = picker(backends(3));
        for (int c = 0; c < 10; c++) {
            picker.pick(context(c));
        }
        advance(TIMEOUT.dividedBy(2));
        for (int c = 0; c < 4; c++) {
            picker.pick(context(c));
        }
        advance(TIMEOUT.dividedBy(2));
        assertThat(picker.expireStale()).isEqualTo(6);
        assertThat(table.size()).isEqualTo(4);
        assertThat(Pickers.expireStale(picker)).isZero();
        assertThat(Pickers.expireStale(Picker.EMPTY)).isZero();
    }

    @Test
    void removedBackendIsRepinnedAndOtherClientsKeepTheirs() {
        List<Backend> list = backends(3);
        ServiceSpec spec = spec(LbPolicy.CLIENT_IP).withAffinityTimeout(TIMEOUT);
        Picker first = Pickers.create(spec, list, new ClientIpPicker(List.of(), TIMEOUT, table));
        Map<Integer, Backend> pins = new HashMap<>();
        for (int c = 0; c < 30; c++) {
            pins.put(c, first.pick(context(c)));
        }
        Backend gone = list.get(1);
        List<Backend> remaining = new ArrayList<>(list);
        remaining.remove(gone);
        Picker second = Pickers.create(spec, remaining, first);
        assertThat(((ClientIpPicker) second).table()).isSameAs(table);
        for (int c = 0; c < 30; c++) {
            Backend now = second.pick(context(c));
            if (pins.get(c) == gone) {
                assertThat(now).isIn(remaining);
                // Re-pinned: stays on the new backend.
                assertThat(second.pick(context(c))).isSameAs(now);
            } else {
                assertThat(now).as("client %d", c).isSameAs(pins.get(c));
            }
        }
        assertThat(table.size()).isEqualTo(30);
    }

    @Test
    void pinSurvivesRebuildWithANewBackendObjectForTheSameAddress() {
        List<Backend> list = backends(3);
        ClientIpPicker first = picker(list);
        Backend pinned = first.pick(context(1));
        // Same addresses, new Backend objects (e.g. the endpoint left and came back).
        List<Backend> renewed = backends(3);
        Picker second = Pickers.create(spec(LbPolicy.CLIENT_IP).withAffinityTimeout(TIMEOUT), renewed, first);
        Backend now = second.pick(context(1));
        assertThat(now.address()).isEqualTo(pinned.address());
        assertThat(now).isSameAs(renewed.get(indexOf(list, pinned)));
    }

    @Test
    void emptyRebuildKeepsTheTable() {
        List<Backend> list = backends(2);
        ServiceSpec spec = spec(LbPolicy.CLIENT_IP).withAffinityTimeout(TIMEOUT);
        ClientIpPicker first = picker(list);
        Backend pinned = first.pick(context(1));
        Picker empty = Pickers.create(spec, List.of(), first);
        assertThat(empty.pick(context(1))).isNull();
        Picker back = Pickers.create(spec, list, empty);
        assertThat(back.pick(context(1))).isSameAs(pinned);
    }

    @Test
    void triedPinnedBackendIsRepicked() {
        List<Backend> list = backends(3);
        Picker picker = picker(list);
        Backend pinned = picker.pick(context(1));
        PickContext retry = context(1);
        retry.markTried(pinned);
        Backend other = picker.pick(retry);
        assertThat(other).isNotSameAs(pinned).isIn(list);
        // The client is now pinned to the backend that worked.
        assertThat(picker.pick(context(1))).isSameAs(other);
    }

    @Test
    void contextWithoutClientFallsBackToRoundRobin() {
        List<Backend> list = backends(2);
        Picker picker = picker(list);
        PickContext anonymous = new PickContext(null);
        Backend a = picker.pick(anonymous);
        assertThat(picker.pick(anonymous)).isNotSameAs(a);
        assertThat(table.size()).isZero();
    }

    @Test
    void fullTableServesNewClientsWithoutAffinity() {
        AffinityTable small = new AffinityTable(5, clock::get);
        List<Backend> list = backends(2);
        ClientIpPicker picker = new ClientIpPicker(list, TIMEOUT, small);
        for (int c = 0; c < 20; c++) {
            assertThat(picker.pick(context(c))).isIn(list);
        }
        assertThat(small.size()).isEqualTo(5);
        // Once the old entries are idle past the timeout, the next insert sweeps them and pins again.
        advance(TIMEOUT.plusSeconds(1));
        Backend pinned = picker.pick(context(100));
        assertThat(small.size()).isEqualTo(1);
        for (int i = 0; i < 10; i++) {
            assertThat(picker.pick(context(100))).isSameAs(pinned);
        }
    }

    @Test
    void insertSweepsPeriodicallyWithoutAControlThread() {
        ClientIpPicker picker = picker(backends(2));
        for (int c = 0; c < 50; c++) {
            picker.pick(context(c));
        }
        // Past both the timeout and the sweep interval (min(timeout, 60 s)), one new client triggers the sweep.
        advance(Duration.ofNanos(TimeUnit.SECONDS.toNanos(11)));
        picker.pick(context(1000));
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void argumentsAreChecked() {
        assertThatThrownBy(() -> new AffinityTable(0, System::nanoTime))
                .hasMessage("maxEntries: 0 (expected: >= 1)");
        assertThatThrownBy(() -> new ClientIpPicker(backends(1), Duration.ZERO, table))
                .hasMessage("timeout: PT0S (expected: > 0)");
    }
}
