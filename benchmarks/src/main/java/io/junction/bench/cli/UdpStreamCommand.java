package io.junction.bench.cli;

import io.junction.bench.backend.StreamDirection;
import io.junction.bench.load.LoadSpec;
import io.junction.bench.load.Mode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code udp-stream}. Main thread only.
 */
@Command(name = "udp-stream", mixinStandardHelpOptions = true,
        description = "Paced datagrams through the target to a UDP echo backend and back: delivered datagrams/s,"
                + " loss and round-trip latency.")
final class UdpStreamCommand extends ModeCommand {
    @Option(names = {"-c", "--connections", "--flows"}, defaultValue = ModeDefaults.UDP_STREAM_FLOWS,
            description = "Flows (source ports) (default: ${DEFAULT-VALUE}).")
    int flows;

    @Option(names = {"-s", "--size"}, defaultValue = ModeDefaults.UDP_STREAM_SIZE,
            description = "Datagram size in bytes, at least 16 (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--rate", defaultValue = ModeDefaults.UDP_STREAM_RATE,
            description = "Datagrams/s sent across all flows (default: ${DEFAULT-VALUE}).")
    long rate;

    @Override
    LoadSpec spec() {
        return new LoadSpec(Mode.UDP_STREAM, flows, size, StreamDirection.UPLOAD, rate, common.warmup(),
                common.duration(), common.maxOps, DurationConverter.parse(ModeDefaults.UDP_TIMEOUT));
    }
}
