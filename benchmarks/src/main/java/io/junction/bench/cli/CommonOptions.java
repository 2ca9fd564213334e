package io.junction.bench.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Options shared by every load sub-command (a picocli mixin). Filled by picocli on the main thread, then read-only.
 */
public final class CommonOptions {
    static final List<String> DEFAULT_TARGETS = List.of("direct", "junction", "haproxy", "nginx");

    @Option(names = "--quick", description = "Short profile: 2 rounds × 1.5 s, 0.3 s warm-up (all modes < 2 min).")
    boolean quick;

    @Option(names = "--full", description = "Long profile: 5 rounds × 10 s, 3 s warm-up.")
    boolean full;

    @Option(names = "--rounds", description = "Interleaved rounds (overrides the profile).")
    Integer rounds;

    @Option(names = "--prime", converter = DurationConverter.class,
            description = "Unrecorded load per target before round 1 (JIT warm-up), e.g. 2s (overrides the profile).")
    Duration prime;

    @Option(names = "--warmup", converter = DurationConverter.class,
            description = "Warm-up per target and round, e.g. 1s (overrides the profile).")
    Duration warmup;

    @Option(names = "--duration", converter = DurationConverter.class,
            description = "Measurement window per target and round, e.g. 5s (overrides the profile).")
    Duration duration;

    @Option(names = "--max-ops", defaultValue = "2000000000",
            description = "Op budget per target and round; a window ends early when it is spent (default: ${DEFAULT-VALUE}).")
    long maxOps;

    @Option(names = "--targets", split = ",", paramLabel = "NAME",
            description = "Targets in run order: direct, junction, haproxy, nginx (default: all four; a named"
                    + " target that cannot start fails the run, a defaulted one is skipped with the reason).")
    List<String> targets;

    @Option(names = "--target", paramLabel = "NAME=HOST:PORT[@PID]",
            description = "An already running proxy on loopback that forwards to --backend-port; with @PID its CPU"
                    + " time and RSS are sampled too. Repeatable.")
    List<String> external = new ArrayList<>();

    @Option(names = "--junction-jar", paramLabel = "JAR",
            description = "Agent jar (default: $JUNCTION_JAR, else proxy-agent/target/junction.jar).")
    Path junctionJar;

    @Option(names = "--junction-jvm-opt", paramLabel = "OPT",
            description = "JVM option for the Junction child process, e.g. -Xmx256m. Repeatable.")
    List<String> junctionJvmOptions = new ArrayList<>();

    @Option(names = "--splice", description = "Zero-copy TCP where the proxy has it: Junction `splice: auto`, HAProxy "
            + "`option splice-auto` (nginx has none). Off by default, so the default run compares plain relays.")
    boolean splice;

    @Option(names = "--haproxy-bin", paramLabel = "PATH", description = "haproxy executable (default: from PATH).")
    Path haproxyBin;

    @Option(names = "--nginx-bin", paramLabel = "PATH", description = "nginx executable (default: from PATH).")
    Path nginxBin;

    @Option(names = "--proxy-threads", paramLabel = "N",
            description = "Worker threads/processes for every proxy; 0 = one per core (default: 0, or 1 with --pin).")
    Integer proxyThreads;

    @Option(names = "--client-threads", defaultValue = "1", paramLabel = "N",
            description = "Event-loop threads of the load generator (default: ${DEFAULT-VALUE}).")
    int clientThreads;

    @Option(names = "--pin", description = "taskset: proxies on CPU 0, load generator and backends on CPU 1.")
    boolean pin;

    @Option(names = "--backend-port", defaultValue = "0", paramLabel = "PORT",
            description = "Port of the in-process backend; 0 = ephemeral (needed fixed with --target).")
    int backendPort;

    @Option(names = "--results", paramLabel = "DIR",
            description = "Results folder (default: results/<timestamp> under $JUNCTION_HOME or the current folder).")
    Path results;

    @Option(names = "--no-charts", description = "Skip the PNG charts.")
    boolean noCharts;

    Profile profile() {
        if (quick && full) {
            throw new IllegalArgumentException("--quick and --full: both given (expected: at most one)");
        }
        return quick ? Profile.QUICK : full ? Profile.FULL : Profile.STANDARD;
    }

    int rounds() {
        return rounds != null ? rounds : profile().rounds();
    }

    Duration prime() {
        return prime != null ? prime : profile().prime();
    }

    Duration warmup() {
        return warmup != null ? warmup : profile().warmup();
    }

    Duration duration() {
        return duration != null ? duration : profile().duration();
    }

    boolean targetsExplicit() {
        return targets != null;
    }

    List<String> targetNames() {
        return targets != null ? targets : DEFAULT_TARGETS;
    }

    int proxyThreads() {
        return proxyThreads != null ? proxyThreads : pin ? 1 : 0;
    }
}
