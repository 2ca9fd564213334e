package io.junction.bench.cli;

import io.junction.bench.backend.StreamDirection;
import io.junction.bench.load.LoadSpec;
import io.junction.bench.load.Mode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tcp-stream}. Main thread only.
 */
@Command(name = "tcp-stream", mixinStandardHelpOptions = true,
        description = "Bulk TCP throughput in Gbit/s (payload bytes, both directions added) over N connections.")
final class TcpStreamCommand extends ModeCommand {
    @Option(names = {"-c", "--connections"}, defaultValue = ModeDefaults.STREAM_CONNECTIONS,
            description = "Parallel connections (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--direction", defaultValue = "upload",
            description = "upload, download or both (default: ${DEFAULT-VALUE}).")
    StreamDirection direction;

    @Override
    LoadSpec spec() {
        return new LoadSpec(Mode.TCP_STREAM, connections, 1, direction, 0, common.warmup(), common.duration(),
                common.maxOps, DurationConverter.parse(ModeDefaults.UDP_TIMEOUT));
    }
}
