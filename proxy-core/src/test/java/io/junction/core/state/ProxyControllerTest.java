package io.junction.core.state;

import io.junction.core.discovery.DiscoveryListener;
import io.junction.core.discovery.DiscoverySource;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.forward.ListenerFactory;
import io.junction.core.forward.ServiceListener;
import io.junction.core.lb.Backend;
import io.junction.core.lb.PickContext;
import io.junction.core.model.Endpoint;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServiceSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ProxyControllerTest {
    private static final ServiceKey WEB = ServiceKey.of("web", Protocol.TCP);
    private static final ServiceKey API = ServiceKey.of("api", Protocol.TCP);

    private final List<String> binds = new CopyOnWriteArrayList<>();
    private final List<String> closes = new CopyOnWriteArrayList<>();
    private final List<Channel> drained = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ListenerFactory fakeFactory = handle -> {
        InetSocketAddress address = handle.current().spec().listen();
        binds.add(handle.key().name() + "@" + address.getPort());
        return new ServiceListener() {
            @Override
            public InetSocketAddress localAddress() {
                return address;
            }

            @Override
            public void close() {
                closes.add(handle.key().name() + "@" + address.getPort());
            }
        };
    };
    private final ProxyController controller =
            new ProxyController(Map.of(Protocol.TCP, fakeFactory), registry, drained::add, 0);

    @AfterEach
    void close() {
        controller.close();
    }

    /** A source the test drives by hand. */
    private static final class ManualSource implements DiscoverySource {
        private final String name;
        volatile DiscoveryListener listener;

        ManualSource(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void start(DiscoveryListener l) {
            this.listener = l;
        }

        @Override
        public void close() {
        }

        void replace(Map<ServiceKey, ServiceDefinition> services) {
            listener.onReplace(name, services);
        }
    }

    private static ServiceDefinition def(ServiceKey key, int port, Duration drain, Endpoint... endpoints) {
        ServiceSpec spec = ServiceSpec.of(key, new InetSocketAddress("127.0.0.1", port), LbPolicy.ROUND_ROBIN);
        return new ServiceDefinition(spec.withTcp(spec.tcp().withDrainTimeout(drain)), List.of(endpoints));
    }

    private void awaitVersion(long version) {
        await().atMost(Duration.ofSeconds(5)).until(() -> controller.snapshot().version() >= version);
    }

    @Test
    void listenersWaitForEverySourceThenOnlyChangedOnesRebind() {
        ManualSource file = new ManualSource("file");
        ManualSource other = new ManualSource("other");
        controller.addSource(file);
        controller.addSource(other);
        controller.start();

        file.replace(Map.of(WEB, def(WEB, 1000, Duration.ZERO, Endpoint.of("127.0.0.1", 1)),
                API, def(API, 2000, Duration.ZERO, Endpoint.of("127.0.0.1", 2))));
        awaitVersion(1);
        assertThat(binds).as("not every source has synced").isEmpty();
        assertThat(controller.ready()).isFalse();

        other.replace(Map.of());
        await().atMost(Duration.ofSeconds(5)).until(controller::ready);
        assertThat(binds).containsExactlyInAnyOrder("web@1000", "api@2000");

        long v = controller.snapshot().version();
        file.replace(Map.of(WEB, def(WEB, 1000, Duration.ZERO, Endpoint.of("127.0.0.1", 1), Endpoint.of("127.0.0.1", 3)),
                API, def(API, 2001, Duration.ZERO, Endpoint.of("127.0.0.1", 2))));
        awaitVersion(v + 1);

        assertThat(binds).containsExactlyInAnyOrder("web@1000", "api@2000", "api@2001");
        assertThat(closes).containsExactly("api@2000");
        assertThat(controller.snapshot().services().get(WEB).eligible()).hasSize(2);
    }

    @Test
    void removedBackendLeavesThePickerAtOnceAndIsDrainedAfterTheTimeout() {
        ManualSource file = new ManualSource("file");
        controller.addSource(file);
        controller.start();
        Endpoint a = Endpoint.of("127.0.0.1", 1);
        Endpoint b = Endpoint.of("127.0.0.1", 2);
        file.replace(Map.of(WEB, def(WEB, 1000, Duration.ofMillis(300), a, b)));
        await().atMost(Duration.ofSeconds(5)).until(controller::ready);
        ServiceHandle handle = controller.handle(WEB);
        Backend backendB = handle.current().eligible().get(1);
        EmbeddedChannel liveConnection = new EmbeddedChannel();
        backendB.onConnectionOpened(liveConnection);

        long v = controller.snapshot().version();
        file.replace(Map.of(WEB, def(WEB, 1000, Duration.ofMillis(300), a)));
        awaitVersion(v + 1);

        PickContext ctx = new PickContext(InetAddress.getLoopbackAddress());
        for (int i = 0; i < 10; i++) {
            assertThat(handle.pick(ctx).address()).isEqualTo(a.address());
        }
        assertThat(backendB.isRemoved()).isTrue();
        assertThat(drained).as("drain timeout not reached yet").isEmpty();
        await().atMost(Duration.ofSeconds(3)).until(() -> drained.contains(liveConnection));
        liveConnection.finishAndReleaseAll();
    }

    @Test
    void removedServiceClosesItsListenerAndItsMeters() {
        ManualSource file = new ManualSource("file");
        controller.addSource(file);
        controller.start();
        file.replace(Map.of(WEB, def(WEB, 1000, Duration.ZERO, Endpoint.of("127.0.0.1", 1))));
        await().atMost(Duration.ofSeconds(5)).until(controller::ready);
        assertThat(registry.find("junction.connections").tag("service", WEB.toString()).meter()).isNotNull();

        long v = controller.snapshot().version();
        file.replace(Map.of());
        awaitVersion(v + 1);

        assertThat(closes).containsExactly("web@1000");
        assertThat(controller.snapshot().services()).isEmpty();
        assertThat(registry.find("junction.connections").tag("service", WEB.toString()).meter()).isNull();
    }

    @Test
    void notReadyEndpointsAreNotPickedUnlessOnlyTerminatingServingOnesRemain() {
        ManualSource file = new ManualSource("file");
        controller.addSource(file);
        controller.start();
        Endpoint ready = Endpoint.of("127.0.0.1", 1);
        Endpoint notReady = Endpoint.of("127.0.0.1", 2).withConditions(false, false, false);
        file.replace(Map.of(WEB, def(WEB, 1000, Duration.ZERO, ready, notReady)));
        await().atMost(Duration.ofSeconds(5)).until(controller::ready);
        assertThat(controller.snapshot().services().get(WEB).eligible()).extracting(Backend::address)
                .containsExactly(ready.address());

        long v = controller.snapshot().version();
        Endpoint terminatingServing = Endpoint.of("127.0.0.1", 3).withConditions(false, true, true);
        file.replace(Map.of(WEB, def(WEB, 1000, Duration.ZERO, notReady, terminatingServing)));
        awaitVersion(v + 1);

        assertThat(controller.snapshot().services().get(WEB).eligible()).extracting(Backend::address)
                .containsExactly(terminatingServing.address());
    }
}
