package io.junction.bench.cli;

import io.junction.bench.backend.BackendKind;
import io.junction.bench.backend.BackendServer;
import io.junction.bench.backend.BackendSizes;
import io.junction.core.forward.Transports;
import io.netty.channel.EventLoopGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code backend KIND --port N}: runs one built-in backend on 127.0.0.1 until interrupted (or for --for).
 * Main thread only; the backend runs on its own event loops.
 */
@Command(name = "backend", mixinStandardHelpOptions = true,
        description = "Runs a built-in backend on 127.0.0.1 until Ctrl-C (or --for). KIND: sink, stream (1-byte"
                + " header U/D/B picks upload/download/both), echo, http, http-close (one response with Connection:"
                + " close, then the backend closes), raw-close (--request-size bytes in, --response-size bytes out,"
                + " then the backend closes), udp-echo.")
final class BackendCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "KIND",
            description = "sink, stream, echo, http, http-close, raw-close or udp-echo.")
    String kind;

    @Option(names = "--request-size", defaultValue = "64", paramLabel = "BYTES",
            description = "raw-close: request bytes to read before answering (default: ${DEFAULT-VALUE}).")
    int requestSize;

    @Option(names = "--response-size", defaultValue = "128", paramLabel = "BYTES",
            description = "raw-close: response bytes; http-close: body bytes (default: ${DEFAULT-VALUE}).")
    int responseSize;

    @Option(names = {"-p", "--port"}, defaultValue = "18081", description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--threads", defaultValue = "1", description = "Event-loop threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--for", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Stop by itself after this long, e.g. 10m (default: run until interrupted).")
    Duration runFor;

    @Override
    public Integer call() throws Exception {
        BackendKind k;
        BackendSizes sizes;
        try {
            k = BackendKind.fromCliName(kind);
            sizes = new BackendSizes(requestSize, responseSize);
        } catch (IllegalArgumentException e) {
            System.err.println("junction-bench: " + e.getMessage());
            return Invocation.EXIT_USAGE;
        }
        EventLoopGroup group = Transports.newEventLoopGroup(threads, "bench-backend");
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown, "bench-backend-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (BackendServer server = BackendServer.start(k, port, group, sizes)) {
            System.err.println("backend " + k.cliName() + " listening on " + server.address() + " ("
                    + k.protocol().name().toLowerCase() + ", " + Transports.name() + "); Ctrl-C to stop");
            if (runFor != null) {
                stop.await(runFor.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                stop.await();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        return Invocation.EXIT_OK;
    }
}
