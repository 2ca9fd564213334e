package io.junction.agent.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.Endpoint;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** From instances to the definitions of exactly the services they change: naming, protocols, rename, filter. */
class RegistryIndexTest {
    private static final ServiceKey WEB = ServiceKey.of("web", Protocol.TCP);
    private static final ServiceKey WEB_UDP = ServiceKey.of("web", Protocol.UDP);

    private static RegistryInstance instance(String service, String id, int port, Protocol p, boolean enabled) {
        return new RegistryInstance(service, id, new InetSocketAddress("127.0.0.1", port), p, enabled);
    }

    private static ZooKeeperSettings settings(Set<String> services, Map<String, String> rename) {
        return new ZooKeeperSettings("zk:2181", "/services", Duration.ofSeconds(60), Duration.ofSeconds(15), services,
                rename);
    }

    @Test
    void aFullStateThenOnlyTheServicesThatChanged() {
        RegistryIndex index = new RegistryIndex(settings(Set.of(), Map.of()));
        index.put(instance("web", "a", 1001, Protocol.TCP, true));
        index.put(instance("db", "a", 2001, Protocol.TCP, true));
        assertThat(index.full()).containsOnlyKeys(WEB, ServiceKey.of("db", Protocol.TCP));

        index.put(instance("web", "b", 1002, Protocol.TCP, false));
        index.put(instance("web", "a", 1001, Protocol.TCP, true));
        Map<ServiceKey, ServiceDefinition> changes = index.changes();
        assertThat(changes).containsOnlyKeys(WEB);
        assertThat(changes.get(WEB).endpoints()).containsExactly(Endpoint.of("127.0.0.1", 1001),
                Endpoint.of("127.0.0.1", 1002).withConditions(false, false, false));
        assertThat(index.changes()).isEmpty();

        index.remove("db", "a");
        Map<ServiceKey, ServiceDefinition> removed = index.changes();
        assertThat(removed).hasSize(1).containsKey(ServiceKey.of("db", Protocol.TCP));
        assertThat(removed.get(ServiceKey.of("db", Protocol.TCP))).as("removed").isNull();
        assertThat(index.instances()).isEqualTo(2);
    }

    @Test
    void udpInstancesMakeTheirOwnKeyAndOneAddressIsOneEndpoint() {
        RegistryIndex index = new RegistryIndex(settings(Set.of(), Map.of()));
        index.put(instance("web", "t", 53, Protocol.TCP, true));
        index.put(instance("web", "u", 53, Protocol.UDP, true));
        index.put(instance("web", "u2", 53, Protocol.UDP, false));
        Map<ServiceKey, ServiceDefinition> all = index.full();
        assertThat(all).containsOnlyKeys(WEB, WEB_UDP);
        assertThat(all.get(WEB_UDP).endpoints()).containsExactly(Endpoint.of("127.0.0.1", 53));
    }

    @Test
    void renameFilterAndNamesNoConfigCanUse() {
        RegistryIndex index = new RegistryIndex(settings(Set.of("Orders", "Bad_Name"), Map.of("Orders", "web")));
        assertThat(index.accepts("Orders")).isTrue();
        assertThat(index.accepts("other")).as("not in services").isFalse();
        assertThat(index.accepts("Bad_Name")).as("no valid Junction name, and not renamed").isFalse();
        index.put(instance("Orders", "1", 1001, Protocol.TCP, true));
        assertThat(index.full()).containsOnlyKeys(WEB);
    }
}
