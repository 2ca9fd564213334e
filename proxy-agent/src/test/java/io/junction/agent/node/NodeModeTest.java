package io.junction.agent.node;

import io.junction.agent.config.NodeModeConfig;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServicePolicy;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Node mode's listen decision and the bookkeeping of virtual addresses behind the rules. */
class NodeModeTest {
    private static final ServiceKey WEB = ServiceKey.of("web", Protocol.TCP);
    private static final ServiceKey DNS = ServiceKey.of("dns", Protocol.UDP);
    private static final InetSocketAddress VIP = new InetSocketAddress("10.96.0.10", 80);

    private static ServiceDefinition definition(ServiceKey key, InetSocketAddress... virtuals) {
        return new ServiceDefinition(key, List.of(virtuals), ServicePolicy.EMPTY, List.of());
    }

    @Test
    void aServiceWithAVirtualAddressListensOnAnEphemeralPortAndAConfiguredListenWins() throws Exception {
        NodeListenResolver resolver = new NodeListenResolver(new NodeModeConfig(true, null));
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("fd00::10"), 53);
        InetSocketAddress pinned = new InetSocketAddress("127.0.0.1", 10080);

        assertThat(resolver.listenAddress(definition(WEB, VIP), ServicePolicy.EMPTY))
                .isEqualTo(new InetSocketAddress("0.0.0.0", 0));
        assertThat(resolver.listenAddress(definition(DNS, v6), ServicePolicy.EMPTY))
                .isEqualTo(new InetSocketAddress("::", 0));
        assertThat(resolver.listenAddress(definition(WEB, VIP), ServicePolicy.EMPTY.withListen(pinned)))
                .isEqualTo(pinned);
        assertThat(resolver.listenAddress(definition(WEB), ServicePolicy.EMPTY)).as("nothing to intercept").isNull();
    }

    @Test
    void theConfiguredNodeModeAddressIsUsed() throws Exception {
        InetAddress ip = InetAddress.getByName("192.0.2.1");
        NodeListenResolver resolver = new NodeListenResolver(new NodeModeConfig(true, ip));

        assertThat(resolver.listenAddress(definition(WEB, VIP), ServicePolicy.EMPTY))
                .isEqualTo(new InetSocketAddress(ip, 0));
    }

    @Test
    void virtualAddressesAreKeptOnlyForServedServicesAndFollowTheirDefinition() {
        NodeListenResolver resolver = new NodeListenResolver(new NodeModeConfig(true, null));
        InetSocketAddress other = new InetSocketAddress("10.96.0.11", 80);
        resolver.listenAddress(definition(WEB, VIP), ServicePolicy.EMPTY);
        resolver.listenAddress(definition(DNS, new InetSocketAddress("10.96.0.10", 53)), ServicePolicy.EMPTY);

        assertThat(resolver.served(Set.of(WEB))).containsOnlyKeys(WEB).containsEntry(WEB, List.of(VIP));
        assertThat(resolver.served(Set.of(WEB, DNS))).as("dns was forgotten when it left").containsOnlyKeys(WEB);

        resolver.listenAddress(definition(WEB, other), ServicePolicy.EMPTY);
        assertThat(resolver.served(Set.of(WEB))).containsEntry(WEB, List.of(other));
    }
}
