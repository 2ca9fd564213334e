package io.junction.bench.cli;

import io.junction.bench.backend.StreamDirection;
import io.junction.bench.load.LoadSpec;
import io.junction.bench.load.Mode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tcp-rr}. Main thread only.
 */
@Command(name = "tcp-rr", mixinStandardHelpOptions = true,
        description = "Request/response over persistent connections: req/s and latency percentiles. Closed loop by"
                + " default; --rate R runs a fixed schedule and measures from each request's intended start, which"
                + " corrects coordinated omission.")
final class TcpRrCommand extends ModeCommand {
    @Option(names = {"-c", "--connections"}, defaultValue = ModeDefaults.RR_CONNECTIONS,
            description = "Persistent connections, one request in flight each (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = {"-s", "--size"}, defaultValue = ModeDefaults.RR_SIZE,
            description = "Request (and echoed response) size in bytes (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--rate", defaultValue = "0",
            description = "Total requests/s across connections; 0 = closed loop (default: ${DEFAULT-VALUE}).")
    long rate;

    @Mixin
    FromStartOption start;

    @Override
    boolean fromStart() {
        return start.enabled;
    }

    @Override
    LoadSpec spec() {
        return new LoadSpec(Mode.TCP_RR, connections, size, StreamDirection.UPLOAD, rate, start.warmup(common),
                start.duration(common), common.maxOps, DurationConverter.parse(ModeDefaults.UDP_TIMEOUT));
    }
}
