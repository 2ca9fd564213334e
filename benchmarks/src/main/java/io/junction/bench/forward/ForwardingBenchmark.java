package io.junction.bench.forward;

import io.junction.core.forward.EventLoops;
import io.junction.core.state.ServiceListener;
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

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The forwarding step on a real loopback socket pair: one persistent connection, each operation writes
 * {@code size} bytes and reads them back from an echo backend, either straight ({@code direct}) or through a
 * Junction TCP listener ({@code junction}). The client and the echo backend use blocking sockets with preallocated
 * arrays, so {@code -prof gc} allocation per op is the proxy's own (plus JMH's noise floor); the ratio of the two
 * targets is the per-message cost of the proxy hop.
 *
 * <p>Run: {@code bin/junction-bench jmh ForwardingBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ForwardingBenchmark {
    @Param({"direct", "junction"})
    public String target;

    @Param({"64", "16384"})
    public int size;

    private ServerSocket echoServer;
    private Thread echoThread;
    private EventLoops loops;
    private ServiceListener listener;
    private Socket client;
    private OutputStream out;
    private InputStream in;
    private byte[] message;
    private byte[] reply;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        echoServer = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        echoThread = new Thread(this::echo, "bench-echo");
        echoThread.setDaemon(true);
        echoThread.start();
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", echoServer.getLocalPort());
        if (target.equals("junction")) {
            loops = EventLoops.create(1);
            ServiceSpec spec = ServiceSpec.of(ServiceKey.of("bench", Protocol.TCP),
                    new InetSocketAddress("127.0.0.1", 0), LbPolicy.ROUND_ROBIN);
            List<Backend> backends = List.of(new Backend(Endpoint.of(to)));
            ServiceHandle handle = new ServiceHandle(ServiceSnapshot.ofEligible(1, spec, backends,
                    Pickers.create(spec, backends, null)));
            listener = new TcpListenerFactory(loops).bind(handle);
            to = listener.localAddress();
        }
        client = new Socket(to.getAddress(), to.getPort());
        client.setTcpNoDelay(true);
        out = client.getOutputStream();
        in = client.getInputStream();
        message = new byte[size];
        reply = new byte[size];
        for (int i = 0; i < size; i++) {
            message[i] = (byte) i;
        }
    }

    private void echo() {
        try (Socket s = echoServer.accept()) {
            s.setTcpNoDelay(true);
            byte[] buf = new byte[64 * 1024];
            InputStream i = s.getInputStream();
            OutputStream o = s.getOutputStream();
            int n;
            while ((n = i.read(buf)) > 0) {
                o.write(buf, 0, n);
            }
        } catch (IOException e) {
            // The trial ended and closed the sockets.
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        client.close();
        if (listener != null) {
            listener.close();
            loops.close();
        }
        echoServer.close();
    }

    /** One message there and back. */
    @Benchmark
    public int roundTrip() {
        try {
            out.write(message);
            int got = 0;
            while (got < size) {
                int n = in.read(reply, got, size - got);
                if (n < 0) {
                    throw new IOException("connection closed after " + got + " bytes");
                }
                got += n;
            }
            return reply[size - 1];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
