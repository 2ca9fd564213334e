package io.junction.bench.forward;

import io.junction.core.forward.tcp.EmbeddedRelay;

import io.junction.core.lb.Backend;
import io.junction.core.lb.Pickers;
import io.junction.core.model.Endpoint;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServiceSpec;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.junction.core.state.ServiceSnapshot;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The relay step alone, without sockets: one read on the client channel handed to the connection and written to the
 * backend channel, over a pair of embedded channels ({@link EmbeddedRelay}, from proxy-core's test jar). Measures
 * the proxy's own per-read work (counters, write, back-pressure check, flush) and, with {@code -prof gc}, its
 * allocation per read.
 *
 * <p>Run: {@code bin/junction-bench jmh EmbeddedRelayBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EmbeddedRelayBenchmark {
    @Param({"64", "16384"})
    public int size;

    private EmbeddedRelay relay;
    private ByteBuf payload;

    @Setup(Level.Trial)
    public void setUp() {
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", 9);
        ServiceSpec spec = ServiceSpec.of(ServiceKey.of("bench", Protocol.TCP), new InetSocketAddress("127.0.0.1", 0),
                LbPolicy.ROUND_ROBIN);
        List<Backend> backends = List.of(new Backend(Endpoint.of(to)));
        ServiceHandle handle = new ServiceHandle(ServiceSnapshot.ofEligible(1, spec, backends,
                Pickers.create(spec, backends, null)));
        relay = EmbeddedRelay.connected(handle, backends.get(0), TcpSettings.DEFAULTS);
        payload = PooledByteBufAllocator.DEFAULT.directBuffer(size).writeZero(size);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        payload.release();
        relay.close();
    }

    /** One client read relayed to the backend, then taken off the backend channel as the socket write would. */
    @Benchmark
    public int relayOneRead() {
        payload.retain().readerIndex(0);
        relay.clientRead(payload);
        ByteBuf written = relay.writtenToBackend();
        int n = written.readableBytes();
        written.release();
        return n;
    }
}
