package io.junction.bench.state;

import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.state.ServiceListener;
import io.junction.core.model.Endpoint;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServicePolicy;
import io.junction.core.state.ConnectionDrain;
import io.junction.core.state.NodePolicy;
import io.junction.core.state.ProxyController;
import io.junction.core.testing.ManualSource;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Propagation cost of one endpoint change: one service among {@code services} (each with 10 endpoints) changes, and
 * the benchmark waits until the control thread has published the new snapshot. Includes the hand-off to the control
 * thread, the per-service rebuild (backends, eligibility, picker) and the publish. The target is ≤ 1 ms at 10,000
 * services and the same order at 100,000 (O(changed), not O(services)).
 *
 * <p>{@link #flipOneEndpointsHealth} does the same for a health verdict: one endpoint of one service turns unhealthy
 * (or healthy again) and its owner calls {@code healthChanged}, as the health board does; same target.
 *
 * <p>Run: {@code bin/junction-bench jmh SnapshotUpdateBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class SnapshotUpdateBenchmark {
    private static final int ENDPOINTS = 10;

    @Param({"10000", "100000"})
    public int services;

    private ProxyController controller;
    private final ManualSource source = new ManualSource("bench");
    private final List<ServiceKey> keys = new ArrayList<>();
    private final List<ServiceDefinition[]> variants = new ArrayList<>();
    private boolean[] flipped;
    private int next;
    /** Services whose first endpoint is unhealthy. */
    private final Set<ServiceKey> sick = ConcurrentHashMap.newKeySet();
    private int nextFlip;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        ServiceListener noSocket = new ServiceListener() {
            @Override
            public InetSocketAddress localAddress() {
                return new InetSocketAddress("127.0.0.1", 1);
            }

            @Override
            public void close() {
            }
        };
        controller = new ProxyController(Map.of(Protocol.TCP, handle -> noSocket), ConnectionDrain.NONE,
                new CompositeMeterRegistry(), 0);
        controller.health((service, endpoint) ->
                endpoint.address().getPort() == 10_000 && sick.contains(service) ? "failed health check" : null);
        controller.addSource(source);
        controller.start();
        flipped = new boolean[services];
        Map<ServiceKey, ServiceDefinition> all = new HashMap<>();
        Map<ServiceKey, ServicePolicy> listen = new HashMap<>();
        for (int s = 0; s < services; s++) {
            ServiceKey key = new ServiceKey("ns" + (s % 100), "svc" + s, "", Protocol.TCP);
            listen.put(key, ServicePolicy.EMPTY.withListen(new InetSocketAddress("127.0.0.1", 1 + (s % 60000))));
            ServiceDefinition a = definition(key, s, 0);
            ServiceDefinition b = definition(key, s, 1);
            keys.add(key);
            variants.add(new ServiceDefinition[] {a, b});
            all.put(key, a);
        }
        controller.updatePolicy(new NodePolicy(ServicePolicy.EMPTY, listen));
        source.replace(all);
        while (controller.snapshot().services().size() < services) {
            Thread.sleep(10);
        }
    }

    private static ServiceDefinition definition(ServiceKey key, int s, int variant) {
        List<Endpoint> eps = new ArrayList<>();
        for (int e = 0; e < ENDPOINTS; e++) {
            int port = 10_000 + e + (variant == 1 && e == 0 ? 1000 : 0);
            eps.add(Endpoint.of(new InetSocketAddress(
                    "127." + ((s >> 16) & 0xff) + "." + ((s >> 8) & 0xff) + "." + (s & 0xff), port)));
        }
        return ServiceDefinition.of(key, eps);
    }

    /** One endpoint of one service changes its health verdict; returns when the new snapshot is published. */
    @Benchmark
    public long flipOneEndpointsHealth() {
        ServiceKey key = keys.get(nextFlip++ % keys.size());
        if (!sick.remove(key)) {
            sick.add(key);
        }
        long version = controller.snapshot().version();
        controller.healthChanged(List.of(key));
        while (controller.snapshot().version() == version) {
            Thread.onSpinWait();
        }
        return controller.snapshot().version();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        controller.close();
    }

    /** One service changes one endpoint; returns when the new snapshot is published. */
    @Benchmark
    public long changeOneService() {
        int i = next++ % keys.size();
        long version = controller.snapshot().version();
        ServiceDefinition[] v = variants.get(i);
        flipped[i] = !flipped[i];
        source.change(keys.get(i), flipped[i] ? v[1] : v[0]);
        while (controller.snapshot().version() == version) {
            Thread.onSpinWait();
        }
        return controller.snapshot().version();
    }
}
