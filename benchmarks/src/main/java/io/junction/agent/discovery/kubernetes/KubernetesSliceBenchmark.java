package io.junction.agent.discovery.kubernetes;

import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.Protocol;
import io.junction.core.state.ConnectionDrain;
import io.junction.core.state.ListenResolver;
import io.junction.core.state.ProxyController;
import io.junction.core.state.ServiceListener;
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

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A changed EndpointSlice touches one Service: the cost of one slice update through the Kubernetes source's own path,
 * with {@code services} Services of one TCP port and one slice of 10 ready endpoints each (10,000 Services =
 * 100,000 endpoints). The update enters where the slice informer's {@code onUpdate} handler enters,
 * {@link KubernetesIndex#updateSlice}, with Fabric8 model objects; the index re-translates that one Service
 * ({@link KubernetesTranslator}) and delivers one change.
 * <ul>
 *   <li>{@link #sliceToSnapshot}: on to a real {@link ProxyController} (no sockets, as in
 *       {@code SnapshotUpdateBenchmark}), until the control thread has published the new snapshot: hand-off, rebuild
 *       of that service (backends, eligibility, picker) and publish included.</li>
 *   <li>{@link #sliceToListener}: the index and the translation alone, into a listener that only counts; the
 *       difference to the first is the controller's share.</li>
 * </ul>
 * Both must stay flat from 1,000 to 10,000 Services: the work is O(changed Service), not O(Services). What changes is
 * {@link SliceChange}: one endpoint's readiness, or one endpoint's address.
 *
 * <p>The updates go round every Service, so at 10,000 each one finds its Service's objects out of the CPU caches, as
 * a real update would. {@code -p touched=1000} makes them go round the first 1,000 only: with that fixed, a figure
 * that still grew with {@code services} would be work per Service, not cache misses.
 *
 * <p>Why this class sits in {@code io.junction.agent.discovery.kubernetes} inside the benchmarks module: the index is
 * package-private on purpose (the informer handlers are its only callers), and a public entry would widen the agent's
 * API only for a benchmark. The split package is harmless here: everything runs on the class path (no JPMS), in
 * the shaded benchmarks jar as in Maven's test class path.
 *
 * <p>Run: {@code bin/junction-bench jmh KubernetesSliceBenchmark}. Each setup prints the live heap it keeps.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class KubernetesSliceBenchmark {
    private static final long SETUP_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(2);

    /** The ProxyController's listeners: bound to nothing, so the benchmark opens no socket. */
    private static final ServiceListener NO_SOCKET = new ServiceListener() {
        @Override
        public InetSocketAddress localAddress() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
        }

        @Override
        public void close() {
        }
    };

    /** As node mode resolves it: a Service with a ClusterIP listens on an ephemeral port of the node's address. */
    private static final ListenResolver NODE_MODE = (definition, policy) -> definition.virtualAddresses().isEmpty()
            ? null : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    /** The cluster handed over to a running controller; updates go through the index to it. */
    @State(Scope.Benchmark)
    public static class Published {
        @Param({"1000", "10000"})
        public int services;

        @Param({"READINESS", "ENDPOINTS"})
        public SliceChange change;

        /** How many Services the updates go round, from the first; 0 for all. */
        @Param("0")
        public int touched;

        ProxyController controller;
        CountingListener counted;
        ClusterFeed feed;

        @Setup(Level.Trial)
        public void setUp() throws InterruptedException {
            ManualSource source = new ManualSource(KubernetesSource.NAME);
            controller = new ProxyController(Map.of(Protocol.TCP, handle -> NO_SOCKET), ConnectionDrain.NONE,
                    new CompositeMeterRegistry(), 0);
            controller.listenResolver(NODE_MODE);
            controller.addSource(source);
            controller.start();
            counted = new CountingListener(source.listener());
            feed = new ClusterFeed(new BenchCluster(services, change), touched, counted);
            long deadline = System.nanoTime() + SETUP_TIMEOUT_NANOS;
            while (controller.snapshot().services().size() < services) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("the controller published " + controller.snapshot().services()
                            .size() + " of " + services + " services within 2 minutes");
                }
                Thread.sleep(10);
            }
            HeapUse.print(services + " Services in the index and the controller");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            feed.close();
            controller.close();
        }
    }

    /** The cluster in an index whose listener only counts. */
    @State(Scope.Benchmark)
    public static class Indexed {
        @Param({"1000", "10000"})
        public int services;

        @Param({"READINESS", "ENDPOINTS"})
        public SliceChange change;

        /** How many Services the updates go round, from the first; 0 for all. */
        @Param("0")
        public int touched;

        CountingListener counted;
        ClusterFeed feed;

        @Setup(Level.Trial)
        public void setUp() {
            counted = new CountingListener(CountingListener.NOWHERE);
            feed = new ClusterFeed(new BenchCluster(services, change), touched, counted);
            HeapUse.print(services + " Services in the index alone");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            feed.close();
        }
    }

    /** One slice update; returns once the controller has published the snapshot that carries it. */
    @Benchmark
    public long sliceToSnapshot(Published state) {
        long version = state.controller.snapshot().version();
        state.feed.updateNext();
        long now;
        while ((now = state.controller.snapshot().version()) == version) {
            Thread.onSpinWait();
        }
        return now;
    }

    /** One slice update through the index and the translation; returns the definition it delivered. */
    @Benchmark
    public ServiceDefinition sliceToListener(Indexed state) {
        state.feed.updateNext();
        return state.counted.lastDefinition();
    }
}
