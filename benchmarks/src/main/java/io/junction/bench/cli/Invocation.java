package io.junction.bench.cli;

import io.junction.bench.load.LoadSpec;
import io.junction.bench.report.Charts;
import io.junction.bench.report.HgrmFiles;
import io.junction.bench.report.HostInfo;
import io.junction.bench.report.JsonReport;
import io.junction.bench.report.MarkdownReport;
import io.junction.bench.report.ModeReport;
import io.junction.bench.report.Progress;
import io.junction.bench.run.Pinning;
import io.junction.bench.run.RunFailedException;
import io.junction.bench.run.RunPlan;
import io.junction.bench.run.Runner;
import io.junction.bench.targets.DirectTarget;
import io.junction.bench.targets.ExternalTarget;
import io.junction.bench.targets.HaproxyFlavor;
import io.junction.bench.targets.JunctionFlavor;
import io.junction.bench.targets.NginxFlavor;
import io.junction.bench.targets.ProxyTarget;
import io.junction.bench.targets.Target;
import io.junction.core.forward.Transports;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One harness invocation: validates the options, runs each mode's plan in turn with one shared load-generator
 * event-loop group, then writes the Markdown (stdout and summary.md), JSON, .hgrm and PNG outputs.
 * Main thread only.
 */
final class Invocation {
    private static final Logger log = LoggerFactory.getLogger(Invocation.class);
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    private Invocation() {
    }

    /** The repository root: $JUNCTION_HOME (set by bin/junction-bench) or the current folder. */
    static Path home() {
        String h = System.getenv("JUNCTION_HOME");
        return Paths.get(h == null || h.isBlank() ? "." : h);
    }

    static Path junctionJar(CommonOptions o) {
        if (o.junctionJar != null) {
            return o.junctionJar;
        }
        String env = System.getenv("JUNCTION_JAR");
        if (env != null && !env.isBlank()) {
            return Paths.get(env);
        }
        return home().resolve("proxy-agent/target/junction.jar");
    }

    static int run(CommonOptions o, List<LoadSpec> specs) {
        return run(o, specs, false);
    }

    /** @param fromStart launch every proxy afresh for each round and measure from the moment it listens */
    static int run(CommonOptions o, List<LoadSpec> specs, boolean fromStart) {
        List<String> names;
        try {
            o.profile();
            names = validateTargets(o);
        } catch (IllegalArgumentException e) {
            System.err.println("junction-bench: " + e.getMessage());
            return EXIT_USAGE;
        }
        if (o.targetsExplicit() && names.contains(JunctionFlavor.NAME)
                && !Files.isRegularFile(junctionJar(o))) {
            // Fail before anything starts: the user asked for Junction and it cannot run.
            System.err.println("junction-bench: " + JunctionFlavor.missingJarMessage(junctionJar(o)));
            return EXIT_USAGE;
        }
        int pinCpu = -1;
        if (o.pin) {
            if (!Pinning.available()) {
                System.err.println("junction-bench: --pin needs at least 2 CPUs and taskset; running unpinned");
            } else {
                try {
                    Pinning.pinSelf();
                    pinCpu = Pinning.PROXY_CPU;
                } catch (RunFailedException e) {
                    System.err.println("junction-bench: " + e.getMessage());
                    return EXIT_FAILED;
                }
            }
        }
        String started = LocalDateTime.now().withNano(0).toString();
        // Absolute, because the proxies get paths in their configs and nginx resolves relative ones to its prefix.
        Path resultsDir = (o.results != null ? o.results : home().resolve("results")
                .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))))
                .toAbsolutePath().normalize();
        HostInfo host = HostInfo.current(pinCpu >= 0, o.proxyThreads(), o.clientThreads);
        List<ModeReport> reports = new ArrayList<>();
        EventLoopGroup clientGroup = Transports.newEventLoopGroup(o.clientThreads, "bench-client");
        int exit = EXIT_OK;
        try (Progress progress = new Progress(System.err)) {
            Files.createDirectories(resultsDir);
            for (LoadSpec spec : specs) {
                RunPlan plan = new RunPlan(spec, o.rounds(), targets(o, names), required(o, names), resultsDir,
                        o.backendPort, o.proxyThreads(), pinCpu, o.profile().drain(), o.prime(), fromStart);
                reports.add(new Runner(plan, clientGroup, progress).run());
            }
        } catch (RunFailedException e) {
            System.err.println("\njunction-bench: " + e.getMessage());
            exit = EXIT_USAGE;
        } catch (IOException e) {
            System.err.println("\njunction-bench: " + e.getMessage());
            exit = EXIT_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println("\njunction-bench: interrupted");
            exit = EXIT_FAILED;
        } finally {
            clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (reports.isEmpty()) {
            return exit == EXIT_OK ? EXIT_FAILED : exit;
        }
        try {
            write(o, resultsDir, started, host, reports);
        } catch (IOException | RuntimeException e) {
            System.err.println("junction-bench: writing results to " + resultsDir + " failed: " + e);
            return EXIT_FAILED;
        }
        return exit;
    }

    private static void write(CommonOptions o, Path dir, String started, HostInfo host, List<ModeReport> reports)
            throws IOException {
        String md = MarkdownReport.render("Junction load benchmark, " + started, host, reports);
        System.out.print(md);
        System.out.flush();
        Files.writeString(dir.resolve("summary.md"), md, StandardCharsets.UTF_8);
        JsonReport.write(dir.resolve("results.json"), started, host, reports);
        int files = 2;
        for (ModeReport r : reports) {
            String prefix = r.spec().mode().cliName();
            files += HgrmFiles.write(dir, prefix, "latency", r.latency()).size();
            files += HgrmFiles.write(dir, prefix, "connect", r.connect()).size();
            if (!o.noCharts) {
                files += Charts.write(dir, r).size();
            }
        }
        log.info("results dir={} files={}", dir.toAbsolutePath().normalize(), files);
    }

    private static List<String> validateTargets(CommonOptions o) {
        Set<String> known = Set.of("direct", JunctionFlavor.NAME, HaproxyFlavor.NAME, NginxFlavor.NAME);
        Set<String> seen = new LinkedHashSet<>();
        for (String n : o.targetNames()) {
            String name = n.trim().toLowerCase();
            if (!known.contains(name)) {
                throw new IllegalArgumentException("--targets: " + n
                        + " (expected: direct, junction, haproxy or nginx; use --target NAME=HOST:PORT for others)");
            }
            seen.add(name);
        }
        Set<String> externalNames = new HashSet<>();
        for (String spec : o.external) {
            String name = ExternalTarget.parse(spec).name();
            if (seen.contains(name) || !externalNames.add(name)) {
                throw new IllegalArgumentException("--target: " + spec + " (expected: a name not used by another"
                        + " target)");
            }
        }
        if (!o.external.isEmpty() && o.backendPort == 0) {
            throw new IllegalArgumentException("--target needs --backend-port PORT (expected: the fixed port your"
                    + " proxy forwards to)");
        }
        if (seen.isEmpty() && o.external.isEmpty()) {
            throw new IllegalArgumentException("--targets: empty (expected: at least one target)");
        }
        return List.copyOf(seen);
    }

    /** Fresh target objects per mode (proxies are restarted with a config for the mode's backend). */
    private static List<Target> targets(CommonOptions o, List<String> names) {
        List<Target> out = new ArrayList<>();
        for (String n : names) {
            out.add(switch (n) {
                case "direct" -> new DirectTarget();
                case JunctionFlavor.NAME -> new ProxyTarget(new JunctionFlavor(junctionJar(o), o.junctionJvmOptions, o.splice));
                case HaproxyFlavor.NAME -> new ProxyTarget(new HaproxyFlavor(o.haproxyBin, o.splice));
                case NginxFlavor.NAME -> new ProxyTarget(new NginxFlavor(o.nginxBin));
                default -> throw new IllegalStateException("validated target name: " + n);
            });
        }
        for (String spec : o.external) {
            out.add(ExternalTarget.parse(spec));
        }
        return out;
    }

    private static Set<String> required(CommonOptions o, List<String> names) {
        return o.targetsExplicit() ? Set.copyOf(names) : Set.of();
    }
}
