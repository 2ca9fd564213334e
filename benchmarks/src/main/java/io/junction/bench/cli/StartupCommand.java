package io.junction.bench.cli;

import io.junction.bench.report.HostInfo;
import io.junction.bench.startup.AgentLauncher;
import io.junction.bench.startup.JvmVariant;
import io.junction.bench.startup.StartupBenchmark;
import io.junction.bench.startup.StartupFailedException;
import io.junction.bench.startup.StartupReport;
import io.junction.bench.targets.JunctionFlavor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * {@code startup}: wall time from {@code java} to listening and to ready, with the systemd unit's JVM options, with
 * and without an AppCDS archive. Main thread only.
 */
@Command(name = "startup", mixinStandardHelpOptions = true,
        description = {"Start-up time: launches the agent jar with the JVM options of systemd/junction.service"
                + " (its JAVA_OPTS line) on the shipped config moved to free loopback ports, and measures the wall"
                + " time from spawning java to the first TCP connect a service listener accepts and to /readyz"
                + " answering 200, over N starts (min, median, p90, max). --cds also makes an AppCDS archive once"
                + " and alternates starts with and without it. Target: ≤ 1.5 s to listening.",
            "",
            "  junction-bench startup",
            "  junction-bench startup --runs 10 --cds both"})
final class StartupCommand implements java.util.concurrent.Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(StartupCommand.class);

    @Option(names = "--runs", defaultValue = "10", paramLabel = "N",
            description = "Measured starts per variant (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", defaultValue = "1", paramLabel = "N",
            description = "Unrecorded starts per variant before the measured ones, so the jar (and the archive) are"
                    + " in the page cache (default: ${DEFAULT-VALUE}).")
    int warmups;

    @Option(names = "--cds", defaultValue = "off", paramLabel = "on|off|both",
            description = "off: the unit's options only; on: with an AppCDS archive made at the start of the run;"
                    + " both: both, alternating, with their ratio (default: ${DEFAULT-VALUE}).")
    String cds;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Agent config used as given (its admin listen address for /readyz, its first TCP"
                    + " service's listen address for the connect; default: config/junction.yaml moved to free"
                    + " loopback ports, registry state in a temporary directory).")
    Path config;

    @Option(names = "--unit", paramLabel = "FILE",
            description = "systemd unit to take JAVA_OPTS from (default: systemd/junction.service).")
    Path unit;

    @Option(names = "--junction-jar", paramLabel = "FILE",
            description = "Agent jar (default: $JUNCTION_JAR, else proxy-agent/target/junction.jar).")
    Path jar;

    @Option(names = "--timeout", defaultValue = "30s", converter = DurationConverter.class,
            description = "Bound on one start until it serves; a start that takes longer fails the run"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--results", paramLabel = "DIR",
            description = "Results folder (default: results/<timestamp> under $JUNCTION_HOME or the current folder).")
    Path results;

    @Override
    public Integer call() {
        Path home = Invocation.home();
        Path dir = (results != null ? results : home.resolve("results")
                .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))))
                .toAbsolutePath().normalize();
        StartupBenchmark.Settings settings;
        try {
            List<JvmVariant> variants = switch (cds.toLowerCase(Locale.ROOT)) {
                case "off" -> List.of(JvmVariant.PLAIN);
                case "on" -> List.of(JvmVariant.CDS);
                case "both" -> List.of(JvmVariant.PLAIN, JvmVariant.CDS);
                default -> throw new IllegalArgumentException("--cds: " + cds + " (expected: on, off or both)");
            };
            Path agentJar = jar != null ? jar : envOr("JUNCTION_JAR", home.resolve("proxy-agent/target/junction.jar"));
            if (!Files.isRegularFile(agentJar)) {
                throw new IllegalArgumentException(JunctionFlavor.missingJarMessage(agentJar));
            }
            Path unitFile = unit != null ? unit : home.resolve("systemd/junction.service");
            String shipped = null;
            if (config == null) {
                shipped = read(home.resolve("config/junction.yaml"), "the shipped config");
            } else {
                read(config, "--config");
            }
            settings = new StartupBenchmark.Settings(runs, warmups, variants,
                    AgentLauncher.fromUnit(read(unitFile, "--unit"), unitFile, agentJar), unitFile, shipped,
                    config == null ? null : config.toAbsolutePath(), dir, timeout);
        } catch (IllegalArgumentException e) {
            System.err.println("junction-bench: " + e.getMessage());
            return Invocation.EXIT_USAGE;
        }
        String started = LocalDateTime.now().withNano(0).toString();
        HostInfo host = HostInfo.current(false, 0, 0);
        StartupBenchmark.Result result;
        try {
            result = StartupBenchmark.run(settings, System.err);
        } catch (IOException | StartupFailedException e) {
            System.err.println("junction-bench: startup failed: " + e.getMessage());
            return Invocation.EXIT_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println("junction-bench: interrupted");
            return Invocation.EXIT_FAILED;
        }
        String md = StartupReport.markdown("Junction start-up, " + started, host, result);
        System.out.print(md);
        System.out.flush();
        try {
            Files.writeString(dir.resolve("summary.md"), md, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("startup.json"), StartupReport.json(started, host, result),
                    StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            System.err.println("junction-bench: writing results to " + dir + " failed: " + e);
            return Invocation.EXIT_FAILED;
        }
        log.info("results dir={} files=2", dir);
        return Invocation.EXIT_OK;
    }

    private static Path envOr(String name, Path fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : Paths.get(v);
    }

    private static String read(Path file, String what) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": cannot read " + file + " (" + e.getMessage() + ")", e);
        }
    }
}
