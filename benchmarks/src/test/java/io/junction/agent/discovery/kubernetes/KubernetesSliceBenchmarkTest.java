package io.junction.agent.discovery.kubernetes;

import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.Endpoint;
import io.junction.core.model.ServiceKey;
import io.junction.core.state.ProxySnapshot;
import io.junction.core.state.ServiceSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The states of {@link KubernetesSliceBenchmark} at a small size: what the benchmark times is what it claims, one
 * slice update delivering exactly one change, of the one service port whose slice changed, and the controller
 * rebuilding that service alone.
 */
class KubernetesSliceBenchmarkTest {
    private static final int SERVICES = 40;

    @ParameterizedTest
    @EnumSource(SliceChange.class)
    void oneSliceUpdateIsOneChangeOfOneServicePort(SliceChange change) {
        KubernetesSliceBenchmark.Indexed state = new KubernetesSliceBenchmark.Indexed();
        state.services = SERVICES;
        state.change = change;
        state.setUp();
        try {
            assertThat(state.counted.replaces()).isEqualTo(1);
            assertThat(state.counted.changes()).isZero();

            int s = state.feed.updateNext();
            assertThat(state.counted.changes()).isEqualTo(1);
            assertThat(state.counted.lastKey()).isEqualTo(BenchCluster.key(s));
            assertChanged(change, s, state.counted.lastDefinition().endpoints());

            int t = state.feed.updateNext();
            assertThat(t).isNotEqualTo(s);
            assertThat(state.counted.changes()).isEqualTo(2);
            assertThat(state.counted.lastKey()).isEqualTo(BenchCluster.key(t));
            assertThat(state.counted.errors()).isZero();
        } finally {
            state.tearDown();
        }
    }

    @Test
    void updatesCycleThroughEveryServiceAndFlipBack() {
        KubernetesSliceBenchmark.Indexed state = new KubernetesSliceBenchmark.Indexed();
        state.services = SERVICES;
        state.change = SliceChange.READINESS;
        state.setUp();
        try {
            for (int i = 0; i < SERVICES; i++) {
                state.feed.updateNext();
            }
            assertThat(state.feed.changed(0)).isTrue();
            int s = state.feed.updateNext();
            assertThat(s).isZero();
            assertThat(state.feed.changed(0)).isFalse();
            assertThat(state.counted.changes()).isEqualTo(SERVICES + 1);
            assertThat(state.counted.lastDefinition().endpoints()).hasSize(BenchCluster.ENDPOINTS_PER_SLICE)
                    .allMatch(Endpoint::ready);
        } finally {
            state.tearDown();
        }
    }

    @Test
    void touchedLimitsTheRoundToTheFirstServices() {
        KubernetesSliceBenchmark.Indexed state = new KubernetesSliceBenchmark.Indexed();
        state.services = SERVICES;
        state.change = SliceChange.ENDPOINTS;
        state.touched = 3;
        state.setUp();
        try {
            List<ServiceKey> keys = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                state.feed.updateNext();
                keys.add(state.counted.lastKey());
            }
            assertThat(keys).containsExactly(BenchCluster.key(0), BenchCluster.key(1), BenchCluster.key(2),
                    BenchCluster.key(0), BenchCluster.key(1), BenchCluster.key(2), BenchCluster.key(0));
            assertThat(state.counted.changes()).isEqualTo(7);
        } finally {
            state.tearDown();
        }
    }

    @ParameterizedTest
    @EnumSource(SliceChange.class)
    void oneSliceUpdateRebuildsOneServiceInTheController(SliceChange change) throws InterruptedException {
        KubernetesSliceBenchmark.Published state = new KubernetesSliceBenchmark.Published();
        state.services = SERVICES;
        state.change = change;
        state.setUp();
        try {
            ProxySnapshot before = state.controller.snapshot();
            assertThat(before.services()).hasSize(SERVICES);
            long changesBefore = state.counted.changes();

            int s = state.feed.updateNext();
            assertThat(state.counted.changes() - changesBefore).isEqualTo(1);
            assertThat(state.counted.lastKey()).isEqualTo(BenchCluster.key(s));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> state.controller.snapshot().version() > before.version());

            ProxySnapshot after = state.controller.snapshot();
            assertThat(after.services()).hasSize(SERVICES);
            ServiceKey changed = BenchCluster.key(s);
            for (Map.Entry<ServiceKey, ServiceSnapshot> e : before.services().entrySet()) {
                if (e.getKey().equals(changed)) {
                    assertThat(after.services().get(e.getKey())).isNotSameAs(e.getValue());
                } else {
                    // The same object: the controller did not even rebuild it.
                    assertThat(after.services().get(e.getKey())).isSameAs(e.getValue());
                }
            }
            assertChanged(change, s, after.services().get(changed).endpointList());
        } finally {
            state.tearDown();
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // sliceToSnapshot spins without a bound
    void theBenchmarkMethodsReturnTheNewState() throws InterruptedException {
        KubernetesSliceBenchmark bench = new KubernetesSliceBenchmark();
        KubernetesSliceBenchmark.Published published = new KubernetesSliceBenchmark.Published();
        published.services = SERVICES;
        published.change = SliceChange.ENDPOINTS;
        published.setUp();
        try {
            long version = published.controller.snapshot().version();
            assertThat(bench.sliceToSnapshot(published)).isGreaterThan(version);
        } finally {
            published.tearDown();
        }
        KubernetesSliceBenchmark.Indexed indexed = new KubernetesSliceBenchmark.Indexed();
        indexed.services = SERVICES;
        indexed.change = SliceChange.ENDPOINTS;
        indexed.setUp();
        try {
            ServiceDefinition d = bench.sliceToListener(indexed);
            assertThat(d.key()).isEqualTo(BenchCluster.key(0));
            assertChanged(SliceChange.ENDPOINTS, 0, d.endpoints());
        } finally {
            indexed.tearDown();
        }
    }

    /** Service {@code s}'s endpoints show {@code change} applied to its slice, and nothing else changed. */
    private static void assertChanged(SliceChange change, int s, List<Endpoint> endpoints) {
        assertThat(endpoints).hasSize(BenchCluster.ENDPOINTS_PER_SLICE);
        for (Endpoint e : endpoints) {
            String ip = e.address().getAddress().getHostAddress();
            assertThat(e.address().getPort()).isEqualTo(BenchCluster.TARGET_PORT);
            if (change == SliceChange.READINESS) {
                boolean first = ip.equals(BenchCluster.endpointIp(s, 0));
                assertThat(e.ready()).as("ready of %s", ip).isEqualTo(!first);
                assertThat(e.serving()).as("serving of %s", ip).isEqualTo(!first);
            } else {
                assertThat(e.ready()).isTrue();
            }
        }
        List<InetSocketAddress> addresses = endpoints.stream().map(Endpoint::address).toList();
        if (change == SliceChange.ENDPOINTS) {
            assertThat(addresses).contains(
                            new InetSocketAddress(BenchCluster.replacementIp(s), BenchCluster.TARGET_PORT))
                    .doesNotContain(new InetSocketAddress(
                            BenchCluster.endpointIp(s, BenchCluster.ENDPOINTS_PER_SLICE - 1),
                            BenchCluster.TARGET_PORT));
        } else {
            assertThat(addresses).contains(new InetSocketAddress(BenchCluster.endpointIp(s, 0),
                    BenchCluster.TARGET_PORT));
        }
    }
}
