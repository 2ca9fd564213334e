package io.junction.bench.cli;

import io.junction.bench.backend.StreamDirection;
import io.junction.bench.load.LoadSpec;
import io.junction.bench.load.Mode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tcp-crr}. Main thread only.
 */
@Command(name = "tcp-crr", mixinStandardHelpOptions = true,
        description = "Connect, request, response, close: new connections/s, connect latency and transaction"
                + " latency (connect call to last answer byte).")
final class TcpCrrCommand extends ModeCommand {
    @Option(names = {"-c", "--connections"}, defaultValue = ModeDefaults.CRR_CONNECTIONS,
            description = "Concurrent connect loops (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = {"-s", "--size"}, defaultValue = ModeDefaults.RR_SIZE,
            description = "Request (and echoed response) size in bytes (default: ${DEFAULT-VALUE}).")
    int size;

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
        return new LoadSpec(Mode.TCP_CRR, connections, size, StreamDirection.UPLOAD, rate, start.warmup(common),
                start.duration(common), common.maxOps, DurationConverter.parse(ModeDefaults.UDP_TIMEOUT));
    }
}
