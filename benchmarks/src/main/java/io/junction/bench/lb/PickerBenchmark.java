package io.junction.bench.lb;

import io.junction.core.lb.Backend;
import io.junction.core.lb.PickContext;
import io.junction.core.lb.Picker;
import io.junction.core.lb.Pickers;
import io.junction.core.model.Endpoint;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServiceSpec;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cost of one {@link Picker#pick} (the per-connection hit path) per policy and endpoint count, on one thread and on
 * two threads sharing the picker (cursor contention). Targets: at most 25 ns/op and 0 B/op (check with
 * {@code -prof gc}). Every client is pinned during setup, so client-ip measures its hit path; each thread rotates
 * over {@value #CLIENTS} clients so the affinity lookup (and maglev's hash) is not one hot entry.
 *
 * <p>With {@code health=true} (the deployed case) every backend has passive health attached
 * ({@link AdmittingRecorder}, admitting) and a connection cap that is set but not reached, so every pick pays the
 * admission check, and backends differ as live ones do: 0..4 open connections each (so least-connections and
 * peak-ewma compare unequal loads, which costs more than the ties of idle backends: the choice then waits on both
 * loads before the chosen backend's admission can be read) and a connect-latency estimate of 100..400 µs.
 * {@code health=false} measures the bare policies over idle backends for comparison.
 *
 * <p>Run: {@code bin/junction-bench jmh PickerBenchmark -prof gc} (the shaded jar's {@code jmh} sub-command), e.g.
 * {@code bin/junction-bench jmh PickerBenchmark.pick -p health=true -f 1 -wi 2 -w 1s -i 3 -r 1s -prof gc}. JMH confines
 * each state to its scope: {@link Shared} is shared by all threads of a run, {@link PerThread} belongs to one thread.
 *
 * <p>Thread-safety: JMH-managed; the shared picker is thread-safe by contract, per-thread state is confined.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PickerBenchmark {
    static final int CLIENTS = 256;
    /** A cap no benchmark reaches: picks never open connections. */
    static final int MAX_CONNECTIONS = 10_000;
    /** Gives each benchmark thread its own client addresses. */
    static final AtomicInteger THREAD_IDS = new AtomicInteger();

    /** The picker under test, shared by every benchmark thread. Built in setup, then read-only. */
    @State(Scope.Benchmark)
    public static class Shared {
        @Param({"round-robin", "random", "least-connections", "weighted", "client-ip", "maglev", "peak-ewma"})
        public String policy;

        @Param({"1", "16", "1024"})
        public int endpoints;

        /** Passive health attached and a connection cap set (not reached) on every backend. */
        @Param({"true", "false"})
        public boolean health;

        Picker picker;

        @Setup(Level.Trial)
        public void setUp() {
            List<Backend> backends = new ArrayList<>(endpoints);
            for (int i = 0; i < endpoints; i++) {
                // Weights 1..4 so the weighted policy walks a real smooth cycle; ignored by other policies.
                Endpoint endpoint = new Endpoint(new InetSocketAddress("127.0.0.1", 10_000 + i), 1 + i % 4,
                        "", "", true, true, false);
                Backend backend = new Backend(endpoint);
                if (health) {
                    backend.outcomes(new AdmittingRecorder());
                    backend.maxConnections(MAX_CONNECTIONS);
                    backend.onConnectSuccess(TimeUnit.MICROSECONDS.toNanos(100 + 100 * (i % 4)));
                    for (int c = 0; c < (i * 7) % 5; c++) {
                        backend.onConnectionOpened();
                    }
                }
                backends.add(backend);
            }
            ServiceSpec spec = ServiceSpec.of(ServiceKey.of("bench", Protocol.TCP),
                    new InetSocketAddress("127.0.0.1", 0), LbPolicy.parse(policy));
            picker = Pickers.create(spec, backends, null);
        }
    }

    /** One thread's connections: a context per client, reused as the data path reuses one per connection. */
    @State(Scope.Thread)
    public static class PerThread {
        PickContext[] contexts;
        int next;

        @Setup(Level.Trial)
        public void setUp(Shared shared) throws UnknownHostException {
            int base = THREAD_IDS.getAndIncrement() & 0xff;
            contexts = new PickContext[CLIENTS];
            for (int c = 0; c < CLIENTS; c++) {
                InetAddress client = InetAddress.getByAddress(new byte[] {10, (byte) base, 0, (byte) c});
                contexts[c] = new PickContext(client);
                // Pins the client (client-ip) so the measured picks take the hit path.
                shared.picker.pick(contexts[c]);
            }
        }

        PickContext nextContext() {
            int i = next;
            next = (i + 1) & (CLIENTS - 1);
            return contexts[i];
        }
    }

    @Benchmark
    public Backend pick(Shared shared, PerThread thread) {
        return shared.picker.pick(thread.nextContext());
    }

    @Benchmark
    @Threads(2)
    public Backend pickTwoThreads(Shared shared, PerThread thread) {
        return shared.picker.pick(thread.nextContext());
    }
}
