package io.junction.bench.cli;

import io.junction.bench.backend.StreamDirection;
import io.junction.bench.load.LoadSpec;
import io.junction.bench.load.Mode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;

/**
 * {@code udp-rr}. Main thread only.
 */
@Command(name = "udp-rr", mixinStandardHelpOptions = true,
        description = "UDP request/response, one datagram in flight per flow: req/s, loss and latency percentiles.")
final class UdpRrCommand extends ModeCommand {
    @Option(names = {"-c", "--connections", "--flows"}, defaultValue = ModeDefaults.UDP_RR_FLOWS,
            description = "Flows (source ports) (default: ${DEFAULT-VALUE}).")
    int flows;

    @Option(names = {"-s", "--size"}, defaultValue = ModeDefaults.RR_SIZE,
            description = "Datagram size in bytes, at least 16 (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--timeout", defaultValue = ModeDefaults.UDP_TIMEOUT, converter = DurationConverter.class,
            description = "Wait for an answer before counting the datagram lost (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    LoadSpec spec() {
        return new LoadSpec(Mode.UDP_RR, flows, size, StreamDirection.UPLOAD, 0, common.warmup(),
                common.duration(), common.maxOps, timeout);
    }
}
