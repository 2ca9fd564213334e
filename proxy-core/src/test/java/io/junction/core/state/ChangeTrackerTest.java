package io.junction.core.state;

import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.Endpoint;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServicePolicy;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChangeTrackerTest {
    private static final ServiceKey WEB = ServiceKey.of("web", Protocol.TCP);
    private static final ServiceKey DNS = ServiceKey.of("dns", Protocol.UDP);

    private static ServiceDefinition def(ServiceKey key, Endpoint... endpoints) {
        return ServiceDefinition.of(key, List.of(endpoints));
    }

    @Test
    void replaceRecordsOnlyServicesThatChanged() {
        ChangeTracker tracker = new ChangeTracker();
        tracker.register("file");
        tracker.recordReplace("file", Map.of(WEB, def(WEB, Endpoint.of("127.0.0.1", 1)),
                DNS, def(DNS, Endpoint.of("127.0.0.1", 2))));
        assertThat(tracker.drain()).containsOnlyKeys(WEB, DNS);

        int changed = tracker.recordReplace("file", Map.of(WEB, def(WEB, Endpoint.of("127.0.0.1", 1)),
                DNS, def(DNS, Endpoint.of("127.0.0.1", 3))));

        assertThat(changed).isEqualTo(1);
        assertThat(tracker.drain()).containsOnlyKeys(DNS);
        assertThat(tracker.recordReplace("file", Map.of(WEB, def(WEB, Endpoint.of("127.0.0.1", 1)),
                DNS, def(DNS, Endpoint.of("127.0.0.1", 3))))).isZero();
        assertThat(tracker.hasPending()).isFalse();
    }

    @Test
    void serviceMissingFromReplaceDrainsAsRemoved() {
        ChangeTracker tracker = new ChangeTracker();
        tracker.register("file");
        tracker.recordReplace("file", Map.of(WEB, def(WEB)));
        tracker.drain();

        tracker.recordReplace("file", Map.of());

        Map<ServiceKey, ServiceDefinition> drained = tracker.drain();
        assertThat(drained).containsKey(WEB);
        assertThat(drained.get(WEB)).isNull();
    }

    @Test
    void higherSourcesWinVirtualAddressesAndHintsAndEndpointsAreTheUnion() {
        ChangeTracker tracker = new ChangeTracker();
        tracker.register("file");
        tracker.register("kubernetes");
        Endpoint shared = Endpoint.of("127.0.0.1", 1);
        tracker.recordReplace("file", Map.of(WEB, new ServiceDefinition(WEB, List.of(),
                ServicePolicy.EMPTY.withLb(LbPolicy.LEAST_CONNECTIONS), List.of(shared))));
        InetSocketAddress clusterIp = new InetSocketAddress("10.96.0.10", 80);
        tracker.recordChange("kubernetes", WEB, new ServiceDefinition(WEB, List.of(clusterIp),
                ServicePolicy.EMPTY.withLb(LbPolicy.RANDOM).withAffinityTimeout(Duration.ofSeconds(60)),
                List.of(shared.withWeight(5), Endpoint.of("127.0.0.1", 2))));

        ServiceDefinition merged = tracker.drain().get(WEB);

        assertThat(merged.virtualAddresses()).as("the first source that has any").containsExactly(clusterIp);
        assertThat(merged.hints().lb()).as("higher-precedence hint wins").isEqualTo(LbPolicy.LEAST_CONNECTIONS);
        assertThat(merged.hints().affinityTimeout()).as("lower source fills the gap").hasSeconds(60);
        assertThat(merged.endpoints()).extracting(Endpoint::hostPort)
                .containsExactly("127.0.0.1:1", "127.0.0.1:2");
        assertThat(merged.endpoints().get(0).weight()).as("higher-precedence attributes win").isEqualTo(1);
    }

    @Test
    void markDirtyRebuildsAServiceDiscoveryDidNotChange() {
        ChangeTracker tracker = new ChangeTracker();
        tracker.register("file");
        tracker.recordReplace("file", Map.of(WEB, def(WEB, Endpoint.of("127.0.0.1", 1)), DNS, def(DNS)));
        tracker.drain();
        assertThat(tracker.hasPending()).isFalse();

        tracker.markDirty(List.of(WEB, ServiceKey.of("gone", Protocol.TCP)));

        Map<ServiceKey, ServiceDefinition> drained = tracker.drain();
        assertThat(drained).containsOnlyKeys(WEB, ServiceKey.of("gone", Protocol.TCP));
        assertThat(drained.get(WEB).endpoints()).hasSize(1);
        assertThat(drained.get(ServiceKey.of("gone", Protocol.TCP))).as("not defined: drains as removed").isNull();
    }

    @Test
    void aDefinitionUnderAnotherKeyIsRejected() {
        ChangeTracker tracker = new ChangeTracker();
        tracker.register("file");
        assertThatThrownBy(() -> tracker.recordReplace("file", Map.of(WEB, def(DNS))))
                .hasMessageContaining("definition: " + DNS);
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

    @Test
    void sourcesThatDefineAServicePortWithNoProtocolInCommonAreAConflictAndBothServicesStay() {
        ChangeTracker tracker = new ChangeTracker();
        tracker.register("file");
        tracker.register("zookeeper");
        ServiceKey dnsTcp = ServiceKey.of("dns", Protocol.TCP);
        ServiceKey webUdp = ServiceKey.of("web", Protocol.UDP);
        // The file serves DNS over both protocols: a registry's TCP instances of it agree with one of them.
        tracker.recordReplace("file", Map.of(WEB, def(WEB), DNS, def(DNS), dnsTcp, def(dnsTcp)));
        tracker.recordReplace("zookeeper", Map.of(dnsTcp, def(dnsTcp, Endpoint.of("127.0.0.1", 53)),
                webUdp, def(webUdp, Endpoint.of("127.0.0.1", 80))));

        assertThat(tracker.protocolConflicts()).singleElement().satisfies(c -> {
            assertThat(c.service()).isEqualTo("default/web");
            assertThat(c.sorted()).containsExactly(entry("file", Set.of(Protocol.TCP)),
                    entry("zookeeper", Set.of(Protocol.UDP)));
        });
        assertThat(tracker.protocolConflicts(List.of(DNS))).isEmpty();
        assertThat(tracker.protocolConflicts(List.of(WEB))).hasSize(1);
        assertThat(tracker.drain()).as("neither side is dropped").containsKeys(WEB, webUdp);

        tracker.recordChange("zookeeper", webUdp, null);
        assertThat(tracker.protocolConflicts()).isEmpty();
    }
}
