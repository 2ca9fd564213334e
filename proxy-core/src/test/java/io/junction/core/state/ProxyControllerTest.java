package io.junction.core.state;

import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.lb.Backend;
import io.junction.core.lb.PickContext;
import io.junction.core.model.Endpoint;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.metrics.FailureReason;
import io.junction.core.model.ServicePolicy;
import io.junction.core.model.TcpSettings;
import io.junction.core.testing.ManualSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ProxyControllerTest {
    private static final ServiceKey WEB = ServiceKey.of("web", Protocol.TCP);
    private static final ServiceKey API = ServiceKey.of("api", Protocol.TCP);

    private final List<String> binds = new CopyOnWriteArrayList<>();
    private final List<String> closes = new CopyOnWriteArrayList<>();
    private final List<Backend> drained = new CopyOnWriteArrayList<>();
    private final ConnectionDrain recordingDrain = new ConnectionDrain() {
        @Override
        public void closeGracefully(Set<Backend> backends, FailureReason reason) {
            drained.addAll(backends);
        }

        @Override
        public CompletableFuture<Integer> closeAll() {
            return CompletableFuture.completedFuture(0);
        }
    };
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
            new ProxyController(Map.of(Protocol.TCP, fakeFactory), recordingDrain, registry, 0);

    @AfterEach
    void close() {
        controller.close();
    }

    /** What the file source delivers: the service and its endpoints; where it listens is the node's policy. */
    private static ServiceDefinition def(ServiceKey key, Endpoint... endpoints) {
        return ServiceDefinition.of(key, List.of(endpoints));
    }

    /** The node's policy: each service listens on 127.0.0.1 at its port, with this drain timeout. */
    private void serve(Duration drain, Object... keysAndPorts) {
        Map<ServiceKey, ServicePolicy> services = new HashMap<>();
        for (int i = 0; i < keysAndPorts.length; i += 2) {
            services.put((ServiceKey) keysAndPorts[i], ServicePolicy.EMPTY
                    .withListen(new InetSocketAddress("127.0.0.1", (Integer) keysAndPorts[i + 1])));
        }
        controller.updatePolicy(new NodePolicy(
                ServicePolicy.EMPTY.withTcp(TcpSettings.DEFAULTS.withDrainTimeout(drain)), services));
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

        serve(Duration.ZERO, WEB, 1000, API, 2000);
        file.replace(Map.of(WEB, def(WEB, Endpoint.of("127.0.0.1", 1)), API, def(API, Endpoint.of("127.0.0.1", 2))));
        awaitVersion(1);
        assertThat(binds).as("not every source has synced").isEmpty();
        assertThat(controller.readiness()).isEqualTo(Readiness.notReady("waiting for sources [other]"));

        other.replace(Map.of());
        await().atMost(Duration.ofSeconds(5)).until(() -> controller.readiness().ready());
        assertThat(binds).containsExactlyInAnyOrder("web@1000", "api@2000");

        long v = controller.snapshot().version();
        serve(Duration.ZERO, WEB, 1000, API, 2001);
        file.replace(Map.of(WEB, def(WEB, Endpoint.of("127.0.0.1", 1), Endpoint.of("127.0.0.1", 3)),
                API, def(API, Endpoint.of("127.0.0.1", 2))));
        await().atMost(Duration.ofSeconds(5)).until(() -> binds.contains("api@2001")
                && controller.snapshot().services().get(WEB).eligible().size() == 2);

        assertThat(binds).containsExactlyInAnyOrder("web@1000", "api@2000", "api@2001");
        assertThat(closes).containsExactly("api@2000");
        assertThat(controller.snapshot().services().get(WEB).eligible()).hasSize(2);
    }

    @Test
    void eachDiscoveryChangeIsTimedFromItsArrivalToItsPublishAndHealthMarksAreNot() {
        ManualSource file = new ManualSource("file");
        controller.addSource(file);
        controller.start();
        serve(Duration.ZERO, WEB, 1000, API, 2000);
        file.replace(Map.of(WEB, def(WEB, Endpoint.of("127.0.0.1", 1)), API, def(API, Endpoint.of("127.0.0.1", 2))));
        await().atMost(Duration.ofSeconds(5)).until(() -> controller.readiness().ready());
        long webBefore = propagations(WEB);
        long apiBefore = propagations(API);
        file.change(WEB, def(WEB, Endpoint.of("127.0.0.1", 3)));
        await().atMost(Duration.ofSeconds(5)).until(() -> propagations(WEB) == webBefore + 1);

        controller.healthChanged(List.of(API));
        long version = controller.snapshot().version();
        awaitVersion(version + 1);

        assertThat(propagations(WEB)).as("one change, one record").isEqualTo(webBefore + 1);
        assertThat(propagations(API)).as("a health mark is not a discovery change").isEqualTo(apiBefore);
        assertThat(registry.get("junction.discovery.propagation").tag("service", WEB.toString()).timer()
                .max(TimeUnit.SECONDS)).isLessThan(5.0);
    }

    private long propagations(ServiceKey key) {
        return registry.get("junction.discovery.propagation").tag("service", key.toString()).timer().count();
    }

    private static final Endpoint A = Endpoint.of("127.0.0.1", 1);
    private static final Endpoint B = Endpoint.of("127.0.0.1", 2);

    /** One source serving WEB on port 1000 with these endpoints and a 300 ms drain timeout; returns once ready. */
    private ManualSource startServingWeb(Endpoint... endpoints) {
        ManualSource file = new ManualSource("file");
        controller.addSource(file);
        controller.start();
        serve(Duration.ofMillis(300), WEB, 1000);
        file.replace(Map.of(WEB, def(WEB, endpoints)));
        await().atMost(Duration.ofSeconds(5)).until(() -> controller.readiness().ready());
        return file;
    }

    @Test
    void aBackendTurningTerminatingKeepsItsConnectionsUntilTheDrainDeadline() {
        ManualSource file = startServingWeb(A, B);
        Endpoint a = A;
        Endpoint b = B;
        ServiceHandle handle = controller.handle(WEB);
        Backend backendB = handle.current().eligible().get(1);

        long v = controller.snapshot().version();
        file.replace(Map.of(WEB, def(WEB, a, b.withConditions(false, true, true))));
        awaitVersion(v + 1);

        assertThat(handle.current().eligible()).extracting(Backend::address).containsExactly(a.address());
        assertThat(backendB.isRemoved()).as("still in discovery").isFalse();
        assertThat(backendB.lingers()).as("its UDP sessions may stay").isTrue();
        assertThat(drained).as("drain timeout not reached yet").isEmpty();
        await().atMost(Duration.ofSeconds(3)).until(() -> drained.contains(backendB));
        assertThat(backendB.drainExpired()).isTrue();
        assertThat(backendB.lingers()).isFalse();
    }

    @Test
    void removedBackendLeavesThePickerAtOnceAndIsDrainedAfterTheTimeout() {
        ManualSource file = startServingWeb(A, B);
        Endpoint a = A;
        Endpoint b = B;
        ServiceHandle handle = controller.handle(WEB);
        Backend backendB = handle.current().eligible().get(1);
        backendB.onConnectionOpened();

        long v = controller.snapshot().version();
        file.replace(Map.of(WEB, def(WEB, a)));
        awaitVersion(v + 1);

        PickContext ctx = new PickContext(InetAddress.getLoopbackAddress());
        for (int i = 0; i < 10; i++) {
            assertThat(handle.pick(ctx).address()).isEqualTo(a.address());
        }
        assertThat(backendB.isRemoved()).isTrue();
        assertThat(drained).as("drain timeout not reached yet").isEmpty();
        await().atMost(Duration.ofSeconds(3)).until(() -> drained.contains(backendB));
        assertThat(drained).containsExactly(backendB);
    }

    @Test
    void removedServiceClosesItsListenerAndItsMeters() {
        ManualSource file = new ManualSource("file");
        controller.addSource(file);
        controller.start();
        serve(Duration.ZERO, WEB, 1000);
        file.replace(Map.of(WEB, def(WEB, Endpoint.of("127.0.0.1", 1))));
        await().atMost(Duration.ofSeconds(5)).until(() -> controller.readiness().ready());
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
        serve(Duration.ZERO, WEB, 1000);
        file.replace(Map.of(WEB, def(WEB, ready, notReady)));
        await().atMost(Duration.ofSeconds(5)).until(() -> controller.readiness().ready());
        assertThat(controller.snapshot().services().get(WEB).eligible()).extracting(Backend::address)
                .containsExactly(ready.address());

        long v = controller.snapshot().version();
        Endpoint terminatingServing = Endpoint.of("127.0.0.1", 3).withConditions(false, true, true);
        file.replace(Map.of(WEB, def(WEB, notReady, terminatingServing)));
        awaitVersion(v + 1);

        assertThat(controller.snapshot().services().get(WEB).eligible()).extracting(Backend::address)
                .containsExactly(terminatingServing.address());
    }

    /** The health seam: a verdict change rebuilds only its service, and the data path stops picking the endpoint. */
    @Test
    void aHealthVerdictEjectsTheEndpointAndRebuildsOnlyItsService() {
        Set<Endpoint> failing = ConcurrentHashMap.newKeySet();
        controller.health((service, endpoint) -> failing.contains(endpoint) ? "failing its health check" : null);
        ManualSource file = new ManualSource("file");
        controller.addSource(file);
        controller.start();
        Endpoint a = Endpoint.of("127.0.0.1", 1);
        Endpoint b = Endpoint.of("127.0.0.1", 2);
        serve(Duration.ZERO, WEB, 1000, API, 2000);
        file.replace(Map.of(WEB, def(WEB, a, b), API, def(API, Endpoint.of("127.0.0.1", 3))));
        await().atMost(Duration.ofSeconds(5)).until(() -> controller.readiness().ready());
        long apiVersion = controller.snapshot().services().get(API).version();

        failing.add(b);
        controller.healthChanged(List.of(WEB));

        await().atMost(Duration.ofSeconds(5))
                .until(() -> controller.snapshot().services().get(WEB).eligible().size() == 1);
        ServiceSnapshot web = controller.snapshot().services().get(WEB);
        assertThat(web.eligible()).extracting(Backend::address).containsExactly(a.address());
        assertThat(web.endpoints()).filteredOn(s -> s.endpoint().equals(b))
                .singleElement().satisfies(s -> {
                    assertThat(s.eligible()).isFalse();
                    assertThat(s.why()).isEqualTo("failing its health check");
                });
        PickContext ctx = new PickContext(InetAddress.getLoopbackAddress());
        for (int i = 0; i < 10; i++) {
            assertThat(controller.handle(WEB).pick(ctx).address()).isEqualTo(a.address());
        }
        assertThat(controller.snapshot().services().get(API).version()).as("API not rebuilt").isEqualTo(apiVersion);

        failing.clear();
        controller.healthChanged(List.of(WEB));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> controller.snapshot().services().get(WEB).eligible().size() == 2);
    }

    /** A snapshot listener runs on the control thread; asking the controller from there must not wait for it. */
    @Test
    void aSnapshotListenerCanAskTheControllerWithoutStallingIt() {
        List<Map<ServiceKey, InetSocketAddress>> seen = new CopyOnWriteArrayList<>();
        controller.addSnapshotListener(snapshot -> {
            seen.add(controller.boundAddresses());
            controller.readiness();
        });
        ManualSource file = new ManualSource("file");
        controller.addSource(file);
        controller.start();
        serve(Duration.ZERO, WEB, 1000);
        file.replace(Map.of(WEB, def(WEB, Endpoint.of("127.0.0.1", 1))));

        await().atMost(Duration.ofSeconds(2)).until(() -> controller.readiness().ready());
        await().atMost(Duration.ofSeconds(2)).until(() -> !seen.isEmpty()
                && seen.get(seen.size() - 1).containsKey(WEB));
        long v = controller.snapshot().version();
        file.replace(Map.of(WEB, def(WEB, Endpoint.of("127.0.0.1", 2))));
        await().atMost(Duration.ofSeconds(2)).until(() -> controller.snapshot().version() > v);
    }
}
