package io.junction.bench.cli;

import io.junction.bench.backend.StreamDirection;
import io.junction.bench.load.BcfFlavor;
import io.junction.bench.load.LoadSpec;
import io.junction.bench.load.Mode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tcp-bcf}. Main thread only.
 */
@Command(name = "tcp-bcf", mixinStandardHelpOptions = true,
        description = {"Backend closes first: each client connects, sends one request, reads the response until the"
                + " backend's close reaches it, checks the response, closes, and starts over. New connections/s,"
                + " connect latency and transaction latency (connect call to EOF). A short, missing or wrong"
                + " response is an error.",
            "  --flavor http (default): GET with Connection: close; the backend answers 200 with a"
                + " --response-size body and closes.",
            "  --flavor raw: -s bytes up; the backend answers --response-size bytes and closes."})
final class TcpBcfCommand extends ModeCommand {
    @Option(names = {"-c", "--connections"}, defaultValue = ModeDefaults.BCF_CONNECTIONS,
            description = "Concurrent clients, one connection each at a time (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--flavor", defaultValue = ModeDefaults.BCF_FLAVOR, paramLabel = "raw|http",
            description = "raw bytes or HTTP with Connection: close (default: ${DEFAULT-VALUE}).")
    BcfFlavor flavor;

    @Option(names = {"-s", "--size"}, defaultValue = ModeDefaults.RR_SIZE,
            description = "raw: request size in bytes (default: ${DEFAULT-VALUE}); http sends a fixed GET.")
    int size;

    @Option(names = "--response-size", defaultValue = ModeDefaults.BCF_RESPONSE_SIZE, paramLabel = "BYTES",
            description = "raw: response bytes; http: body bytes (default: ${DEFAULT-VALUE}).")
    int responseSize;

    @Option(names = "--rate", defaultValue = "0",
            description = "Total connections/s; 0 = closed loop (default: ${DEFAULT-VALUE}).")
    long rate;

    @Mixin
    FromStartOption start;

    @Override
    boolean fromStart() {
        return start.enabled;
    }

    @Override
    LoadSpec spec() {
        return new LoadSpec(Mode.TCP_BCF, connections, size, StreamDirection.UPLOAD, rate, start.warmup(common),
                start.duration(common), common.maxOps, DurationConverter.parse(ModeDefaults.UDP_TIMEOUT), flavor,
                responseSize);
    }
}
