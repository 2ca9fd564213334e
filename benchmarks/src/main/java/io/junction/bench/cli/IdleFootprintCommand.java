package io.junction.bench.cli;

import io.junction.bench.footprint.FdBudget;
import io.junction.bench.footprint.FootprintReport;
import io.junction.bench.footprint.IdleFootprint;
import io.junction.bench.report.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * {@code idle-footprint}: heap and direct memory per idle proxied connection, measured in this JVM. Main thread
 * only.
 */
@Command(name = "idle-footprint", mixinStandardHelpOptions = true,
        description = {"Memory per idle connection: opens N connections straight to an in-process backend, then N"
                + " through an in-process Junction TCP listener, one small message each, and reads heap and direct"
                + " memory after forced GCs before and while they are held. The proxy's cost is the difference per"
                + " connection (target: 8 KiB). Needs ~4 file descriptors per connection (ulimit -n).",
            "",
            "  junction-bench idle-footprint",
            "  junction-bench idle-footprint --connections 2000 --histogram 25"})
final class IdleFootprintCommand implements java.util.concurrent.Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(IdleFootprintCommand.class);
    static final int DEFAULT_CONNECTIONS = 10_000;

    @Option(names = {"-c", "--connections"},
            description = "Idle connections per run (default: " + DEFAULT_CONNECTIONS + ", lowered to what ulimit -n"
                    + " allows, with a note; an explicit value that does not fit fails).")
    Integer connections;

    @Option(names = "--target", defaultValue = "both", paramLabel = "direct|junction|both",
            description = "Which runs: both (the proxy's cost is their difference), direct or junction alone"
                    + " (absolute deltas, client and backend sockets included) (default: ${DEFAULT-VALUE}).")
    String target;

    @Option(names = "--proxy-threads", defaultValue = "1", paramLabel = "N",
            description = "Junction worker threads; 0 = one per core (default: ${DEFAULT-VALUE}).")
    int proxyThreads;

    @Option(names = "--settle", defaultValue = "1s", converter = DurationConverter.class,
            description = "Idle time before the held sample (default: ${DEFAULT-VALUE}).")
    Duration settle;

    @Option(names = "--hold", defaultValue = "0s", converter = DurationConverter.class,
            description = "Keep the connections open this long after the sample, e.g. to run jcmd (default: none).")
    Duration hold;

    @Option(names = "--histogram", defaultValue = "0", paramLabel = "TOP",
            description = "Also take class histograms and list the TOP classes by per-connection growth"
                    + " (junction minus direct) (default: none).")
    int histogramTop;

    @Option(names = "--timeout", defaultValue = "60s", converter = DurationConverter.class,
            description = "Bound on opening, and on closing, one run's connections (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--results", paramLabel = "DIR",
            description = "Results folder (default: results/<timestamp> under $JUNCTION_HOME or the current folder).")
    Path results;

    @Override
    public Integer call() {
        IdleFootprint.Settings settings;
        try {
            boolean direct = target.equalsIgnoreCase("both") || target.equalsIgnoreCase("direct");
            boolean junction = target.equalsIgnoreCase("both") || target.equalsIgnoreCase("junction");
            if (!direct && !junction) {
                throw new IllegalArgumentException("--target: " + target + " (expected: direct, junction or both)");
            }
            int fds = FdBudget.fdsPerConnection(junction);
            FdBudget budget = FdBudget.current();
            int max = budget.maxConnections(fds);
            int n;
            if (connections == null) {
                n = Math.min(DEFAULT_CONNECTIONS, max);
                if (n < DEFAULT_CONNECTIONS) {
                    System.err.printf("junction-bench: note: ulimit -n is %d (%d open), so %,d connections at %d"
                                    + " descriptors each fit instead of %,d; raise it with `ulimit -n 65536` for the"
                                    + " full count (the per-connection figure does not depend on N)%n",
                            budget.maxFds(), budget.openFds(), n, fds, DEFAULT_CONNECTIONS);
                }
            } else {
                n = connections;
                if (n > max) {
                    throw new IllegalArgumentException("--connections: " + n + " (expected: at most " + max
                            + ": ulimit -n is " + budget.maxFds() + " with " + budget.openFds() + " open, and each"
                            + " connection needs " + fds + " descriptors in this JVM; run `ulimit -n 65536` first)");
                }
            }
            settings = new IdleFootprint.Settings(n, direct, junction, proxyThreads, settle, hold, histogramTop,
                    timeout);
        } catch (IllegalArgumentException e) {
            System.err.println("junction-bench: " + e.getMessage());
            return Invocation.EXIT_USAGE;
        }
        String started = LocalDateTime.now().withNano(0).toString();
        Path dir = (results != null ? results : Invocation.home().resolve("results")
                .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))))
                .toAbsolutePath().normalize();
        HostInfo host = HostInfo.current(false, proxyThreads, 0);
        IdleFootprint.Result result;
        try {
            result = IdleFootprint.run(settings, System.err);
        } catch (IOException e) {
            System.err.println("junction-bench: idle-footprint failed: " + e.getMessage());
            return Invocation.EXIT_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println("junction-bench: interrupted");
            return Invocation.EXIT_FAILED;
        }
        String md = FootprintReport.markdown("Junction idle-connection footprint, " + started, host, result);
        System.out.print(md);
        System.out.flush();
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("summary.md"), md, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("idle-footprint.json"), FootprintReport.json(started, host, result),
                    StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            System.err.println("junction-bench: writing results to " + dir + " failed: " + e);
            return Invocation.EXIT_FAILED;
        }
        log.info("results dir={} files=2", dir);
        return Invocation.EXIT_OK;
    }
}
