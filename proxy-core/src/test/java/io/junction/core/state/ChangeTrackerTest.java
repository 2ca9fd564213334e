package io.junction.core.state;

import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.Endpoint;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServiceSpec;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChangeTrackerTest {
    private static final ServiceKey WEB = ServiceKey.of("web", Protocol.TCP);
    private static final ServiceKey DNS = ServiceKey.of("dns", Protocol.UDP);

    private static ServiceSpec spec(ServiceKey key, int port) {
        return ServiceSpec.of(key, new InetSocketAddress("127.0.0.1", port), LbPolicy.ROUND_ROBIN);
    }

    private static ServiceDefinition def(ServiceKey key, int port, Endpoint... endpoints) {
        return new ServiceDefinition(spec(key, port), List.of(endpoints));
    }

    @Test
    void replaceRecordsOnlyServicesThatChanged() {
        ChangeTracker tracker = new ChangeTracker();
        tracker.register("file");
        tracker.recordReplace("file", Map.of(WEB, def(WEB, 80, Endpoint.of("127.0.0.1", 1)),
                DNS, def(DNS, 53, Endpoint.of("127.0.0.1", 2))));
        assertThat(tracker.drain()).containsOnlyKeys(WEB, DNS);

        int changed = tracker.recordReplace("file", Map.of(WEB, def(WEB, 80, Endpoint.of("127.0.0.1", 1)),
                DNS, def(DNS, 53, Endpoint.of("127.0.0.1", 3))));

        assertThat(changed).isEqualTo(1);
        assertThat(tracker.drain()).containsOnlyKeys(DNS);
        assertThat(tracker.recordReplace("file", Map.of(WEB, def(WEB, 80, Endpoint.of("127.0.0.1", 1)),
                DNS, def(DNS, 53, Endpoint.of("127.0.0.1", 3))))).isZero();
        assertThat(tracker.hasPending()).isFalse();
    }

    @Test
    void serviceMissingFromReplaceDrainsAsRemoved() {
        ChangeTracker tracker = new ChangeTracker();
        tracker.register("file");
        tracker.recordReplace("file", Map.of(WEB, def(WEB, 80)));
        tracker.drain();

        tracker.recordReplace("file", Map.of());

        Map<ServiceKey, ServiceDefinition> drained = tracker.drain();
        assertThat(drained).containsKey(WEB);
        assertThat(drained.get(WEB)).isNull();
    }

    @Test
    void firstSourceGivesTheSpecAndEndpointsAreTheUnion() {
        ChangeTracker tracker = new ChangeTracker();
        tracker.register("file");
        tracker.register("registry");
        Endpoint shared = Endpoint.of("127.0.0.1", 1);
        tracker.recordReplace("file", Map.of(WEB, def(WEB, 80, shared)));
        tracker.recordChange("registry", WEB, new ServiceDefinition(spec(WEB, 8080),
                List.of(shared.withWeight(5), Endpoint.of("127.0.0.1", 2))));

        ServiceDefinition merged = tracker.drain().get(WEB);

        assertThat(merged.spec().listen().getPort()).isEqualTo(80);
        assertThat(merged.endpoints()).extracting(Endpoint::hostPort)
                .containsExactly("127.0.0.1:1", "127.0.0.1:2");
        assertThat(merged.endpoints().get(0).weight()).as("higher-precedence attributes win").isEqualTo(1);
    }

    @Test
    void endpointsWithoutAnySpecDoNotMakeAService() {
        ChangeTracker tracker = new ChangeTracker();
        tracker.register("registry");
        tracker.recordChange("registry", WEB, new ServiceDefinition(null, List.of(Endpoint.of("127.0.0.1", 2))));

        assertThat(tracker.drain().get(WEB)).isNull();
    }

    @Test
    void syncedOnlyAfterEverySourceDeliveredItsState() {
        ChangeTracker tracker = new ChangeTracker();
        tracker.register("a");
        tracker.register("b");
        tracker.recordReplace("a", Map.of());
        assertThat(tracker.allSynced()).isFalse();
        tracker.recordReplace("b", Map.of());
        assertThat(tracker.allSynced()).isTrue();
    }

    @Test
    void unknownOrDuplicateSourceIsRejectedWithItsName() {
        ChangeTracker tracker = new ChangeTracker();
        tracker.register("a");
        assertThatThrownBy(() -> tracker.register("a")).hasMessageContaining("source: a");
        assertThatThrownBy(() -> tracker.recordReplace("zzz", Map.of())).hasMessageContaining("source: zzz");
    }
}
