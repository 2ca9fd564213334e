package io.junction.agent.node;

import io.junction.agent.config.NodeModeConfig;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServicePolicy;
import org.junit.jupiter.api.Test;

import io.junction.core.state.ConnectionDrain;
import io.junction.core.state.ListenerFactory;
import io.junction.core.state.ProxyController;
import io.junction.core.state.ServiceListener;
import io.junction.core.testing.ManualSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Node mode's listen decision and the rules it wants from the served services' virtual addresses. */
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
    void rulesCoverOnlyServedServicesAndFollowTheirVirtualAddresses() {
        AtomicInteger ports = new AtomicInteger(40_000);
        ListenerFactory fake = handle -> {
            InetSocketAddress bound = new InetSocketAddress("0.0.0.0", ports.incrementAndGet());
            return new ServiceListener() {
                @Override
                public InetSocketAddress localAddress() {
                    return bound;
                }

                @Override
                public void close() {
                }
            };
        };
        ProxyController controller = new ProxyController(Map.of(Protocol.TCP, fake, Protocol.UDP, fake),
                ConnectionDrain.NONE, new SimpleMeterRegistry(), 0);
        ManualSource source = new ManualSource("test");
        controller.addSource(source);
        NodeMode node = new NodeMode(new NodeModeConfig(true, null), controller, script -> new NftRunner.Result(0, ""),
                Duration.ofMillis(10));
        node.install();
        controller.start();
        try {
            InetSocketAddress other = new InetSocketAddress("10.96.0.11", 80);
            InetSocketAddress dnsVip = new InetSocketAddress("10.96.0.10", 53);
            source.replace(Map.of(WEB, definition(WEB, VIP), DNS, definition(DNS, dnsVip)));
            await().atMost(Duration.ofSeconds(5)).until(() -> node.desired().size() == 2);
            assertThat(node.desired()).extracting(Redirect::virtualAddress).containsExactlyInAnyOrder(VIP, dnsVip);

            source.replace(Map.of(WEB, definition(WEB, other)));
            await().atMost(Duration.ofSeconds(5)).until(() -> node.desired().size() == 1
                    && node.desired().iterator().next().virtualAddress().equals(other));
            assertThat(node.desired()).as("dns was forgotten when it left").extracting(Redirect::service)
                    .containsExactly(WEB);
        } finally {
            node.close();
            controller.close();
        }
    }
}
