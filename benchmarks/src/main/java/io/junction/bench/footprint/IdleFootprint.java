package io.junction.bench.footprint;

import io.junction.core.forward.EventLoops;
import io.junction.core.state.ServiceListener;
import io.junction.core.forward.Transports;
import io.junction.core.forward.tcp.TcpListenerFactory;
import io.junction.core.lb.Backend;
import io.junction.core.lb.Pickers;
import io.junction.core.model.Endpoint;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServiceSpec;
import io.junction.core.state.ServiceHandle;
import io.junction.core.state.ServiceSnapshot;
import io.netty.channel.EventLoopGroup;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the idle-footprint measurement in this JVM: an in-process holding backend, optionally an in-process Junction
 * TCP listener in front of it (default settings, so the 1 h idle timeout reaps nothing), a small warm-up through
 * each path (class loading, JIT, allocator chunks and event-loop start-up are then outside the deltas), and then per
 * target: sample, open N connections, one message each, wait until the backend has every message, let them sit idle,
 * sample, close and wait until the backend saw every close. Control thread only (blocks it for the whole run).
 */
public final class IdleFootprint {
    /** The message each connection sends once, so the proxy has connected its backend leg and relayed a read. */
    static final byte[] MESSAGE = "junction idle footprint\n".getBytes(StandardCharsets.US_ASCII);
    private static final int WARMUP_CONNECTIONS = 500;
    private static final long POLL_MILLIS = 5;

    /**
     * What to run. Immutable.
     *
     * @param connections  idle connections per run
     * @param direct       run the baseline straight to the backend
     * @param junction     run through the in-process Junction listener
     * @param proxyThreads Junction worker threads
     * @param settle       idle time before the after-sample
     * @param hold         extra time the connections stay open after the sample (for an outside jcmd)
     * @param histogramTop classes to list from an in-process class histogram; 0 = no histogram
     * @param timeout      bound on opening all connections, and separately on closing them
     */
    public record Settings(int connections, boolean direct, boolean junction, int proxyThreads, Duration settle,
                           Duration hold, int histogramTop, Duration timeout) {
        public Settings {
            if (connections <= 0) {
                throw new IllegalArgumentException("connections: " + connections + " (expected: > 0)");
            }
            if (!direct && !junction) {
                throw new IllegalArgumentException("targets: none (expected: direct, junction or both)");
            }
            if (proxyThreads < 0) {
                throw new IllegalArgumentException("proxyThreads: " + proxyThreads + " (expected: >= 0)");
            }
            if (histogramTop < 0) {
                throw new IllegalArgumentException("histogramTop: " + histogramTop + " (expected: >= 0)");
            }
        }

        /** Descriptors per connection in the widest run. */
        public int fdsPerConnection() {
            return FdBudget.fdsPerConnection(junction);
        }
    }

    /**
     * The outcome. Immutable.
     *
     * @param runs       one per target, in run order
     * @param cost       the proxy's cost, or null unless both targets ran
     * @param histogram  top classes by per-connection growth (proxied minus direct when both ran), or empty
     * @param transport  Netty transport of the proxy and backend
     */
    public record Result(Settings settings, List<RunMeasurement> runs, ProxyCost cost,
                         List<ClassHistogram.Diff> histogram, String transport) {
        public Result {
            runs = List.copyOf(runs);
            histogram = List.copyOf(histogram);
        }
    }

    private IdleFootprint() {
    }

    public static Result run(Settings s, PrintStream progress) throws IOException, InterruptedException {
        EventLoopGroup backendGroup = Transports.newEventLoopGroup(1, "footprint-backend");
        EventLoops loops = null;
        ServiceListener listener = null;
        try (HoldingBackend backend = HoldingBackend.start(backendGroup)) {
            List<String> names = new ArrayList<>();
            List<InetSocketAddress> addresses = new ArrayList<>();
            if (s.direct()) {
                names.add("direct");
                addresses.add(backend.address());
            }
            if (s.junction()) {
                loops = EventLoops.create(s.proxyThreads());
                listener = new TcpListenerFactory(loops).bind(handle(backend.address()));
                names.add("junction");
                addresses.add(listener.localAddress());
            }
            int warm = Math.min(WARMUP_CONNECTIONS, s.connections());
            for (int i = 0; i < names.size(); i++) {
                progress.printf("warm-up %s: %d connections%n", names.get(i), warm);
                try (IdleClients c = openAndAwait(backend, addresses.get(i), warm, s.timeout())) {
                    progress.printf("warm-up %s: %d open%n", names.get(i), c.size());
                }
                awaitClosed(backend, s.timeout());
            }
            List<RunMeasurement> runs = new ArrayList<>();
            List<Map<String, ClassHistogram.Entry>> histDeltas = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                // The before-histogram is taken first so it is alive in both samples and cancels out of the delta.
                ClassHistogram histBefore = s.histogramTop() > 0 ? ClassHistogram.take() : null;
                MemorySample before = MemorySample.afterGc();
                long start = System.nanoTime();
                progress.printf("%s: opening %,d connections to %s%n", name, s.connections(), addresses.get(i));
                try (IdleClients c = openAndAwait(backend, addresses.get(i), s.connections(), s.timeout())) {
                    long openMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    progress.printf("%s: %,d connections up in %d ms; idle for %d ms, then GC and sample%n", name,
                            c.size(), openMillis, s.settle().toMillis());
                    Thread.sleep(s.settle().toMillis());
                    MemorySample after = MemorySample.afterGc();
                    RunMeasurement m = new RunMeasurement(name, c.size(), openMillis, before, after);
                    runs.add(m);
                    progress.printf("%s: heap %+,.0f B/conn, direct %+,.0f B/conn%n", name, m.heapPerConnection(),
                            m.directPerConnection());
                    if (histBefore != null) {
                        histDeltas.add(ClassHistogram.take().minus(histBefore));
                    }
                    if (!s.hold().isZero()) {
                        progress.printf("%s: holding %,d idle connections for %d s (pid %d; e.g. jcmd %d"
                                        + " GC.class_histogram)%n", name, c.size(), s.hold().toSeconds(),
                                ProcessHandle.current().pid(), ProcessHandle.current().pid());
                        Thread.sleep(s.hold().toMillis());
                    }
                }
                awaitClosed(backend, s.timeout());
                progress.printf("%s: closed%n", name);
            }
            ProxyCost cost = runs.size() == 2 ? ProxyCost.between(runs.get(0), runs.get(1), ProxyCost.TARGET_BYTES)
                    : null;
            List<ClassHistogram.Diff> hist = List.of();
            if (s.histogramTop() > 0) {
                hist = histDeltas.size() == 2
                        ? ClassHistogram.topDiffs(histDeltas.get(0), runs.get(0).connections(), histDeltas.get(1),
                                runs.get(1).connections(), s.histogramTop())
                        : ClassHistogram.topGrowth(histDeltas.get(0), runs.get(0).connections(), s.histogramTop());
            }
            return new Result(s, runs, cost, hist, Transports.name());
        } finally {
            if (listener != null) {
                listener.close();
            }
            if (loops != null) {
                loops.close();
            }
            backendGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** A one-endpoint round-robin service on an ephemeral 127.0.0.1 port with default TCP settings. */
    private static ServiceHandle handle(InetSocketAddress backendAddress) {
        ServiceSpec spec = ServiceSpec.of(ServiceKey.of("idle-footprint", Protocol.TCP),
                new InetSocketAddress("127.0.0.1", 0), LbPolicy.ROUND_ROBIN);
        List<Backend> backends = List.of(new Backend(Endpoint.of(backendAddress)));
        return new ServiceHandle(ServiceSnapshot.ofEligible(1, spec, backends,
                Pickers.create(spec, backends, null)));
    }

    /** Opens {@code n} connections and waits until the backend has accepted each and read each one's message. */
    private static IdleClients openAndAwait(HoldingBackend backend, InetSocketAddress to, int n, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long accepted0 = backend.accepted();
        long bytes0 = backend.bytesRead();
        IdleClients c = IdleClients.open(to, n, MESSAGE, () -> backend.accepted() - accepted0, deadline);
        long wantBytes = (long) n * MESSAGE.length;
        while (backend.accepted() - accepted0 < n || backend.bytesRead() - bytes0 < wantBytes) {
            if (System.nanoTime() - deadline > 0) {
                c.close();
                throw new IOException("backend saw " + (backend.accepted() - accepted0) + " of " + n
                        + " connections and " + (backend.bytesRead() - bytes0) + " of " + wantBytes + " bytes within "
                        + timeout.toSeconds() + " s (expected: all)");
            }
            Thread.sleep(POLL_MILLIS);
        }
        return c;
    }

    /** Waits until every connection the backend accepted is closed again (the proxy closes its legs with them). */
    private static void awaitClosed(HoldingBackend backend, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (backend.open() > 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new IOException(backend.open() + " backend connections still open " + timeout.toSeconds()
                        + " s after the clients closed (expected: 0)");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
