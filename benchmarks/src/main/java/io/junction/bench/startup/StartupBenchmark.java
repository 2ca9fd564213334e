package io.junction.bench.startup;

import io.junction.bench.targets.ChildProcess;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The {@code startup} mode: starts the agent {@code runs} times per JVM variant, each time on a fresh config (new
 * free ports, an empty registry state directory) and measures launch to listening and launch to ready. With both
 * variants the starts alternate, plain/CDS then CDS/plain, so a drift of the machine's load reaches both alike and
 * the ratio comes from one run. Each variant first gets {@code warmups} unrecorded starts, so the jar and the
 * archive are in the page cache for every measured one. Confined to the calling thread.
 */
public final class StartupBenchmark {
    /** How long a stopped agent may take to exit before it is killed (no connections are left to drain). */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private StartupBenchmark() {
    }

    /**
     * @param runs         measured starts per variant
     * @param warmups      unrecorded starts per variant before the first measured one
     * @param variants     which JVM variants to measure, in order
     * @param launcher     java, the unit's options and the jar
     * @param unitFile     where the options came from (for the report)
     * @param shippedConfig the shipped config's text, moved to free ports for every start; null with givenConfig
     * @param givenConfig  a config used as it is; null with shippedConfig
     * @param resultsDir   where configs, logs and the report go
     * @param timeout      bound on one start (and on making the archive)
     */
    public record Settings(int runs, int warmups, List<JvmVariant> variants, AgentLauncher launcher, Path unitFile,
                           String shippedConfig, Path givenConfig, Path resultsDir, Duration timeout) {
        public Settings {
            if (runs < 1) {
                throw new IllegalArgumentException("--runs: " + runs + " (expected: >= 1)");
            }
            if (warmups < 0) {
                throw new IllegalArgumentException("--warmup: " + warmups + " (expected: >= 0)");
            }
            variants = List.copyOf(variants);
        }
    }

    /** Every sample plus the archive, when one was made. */
    public record Result(Settings settings, List<RunSample> samples, CdsArchive archive) {
        public Result {
            samples = List.copyOf(samples);
        }

        public List<RunSample> of(JvmVariant v) {
            return samples.stream().filter(s -> s.variant() == v).toList();
        }
    }

    public static Result run(Settings s, PrintStream progress)
            throws IOException, StartupFailedException, InterruptedException {
        Path work = Files.createDirectories(s.resultsDir().resolve("startup"));
        Path temp = Files.createTempDirectory("junction-startup");
        try {
            CdsArchive archive = null;
            if (s.variants().contains(JvmVariant.CDS)) {
                progress.println("startup: making the AppCDS archive (one start with -XX:ArchiveClassesAtExit, then"
                        + " SIGTERM) ...");
                Prepared p = prepare(s, work, temp, "cds-dump");
                archive = CdsArchive.create(s.launcher(), p.config(), p.file(), temp.resolve("junction.jsa"),
                        work, s.timeout());
                progress.printf(Locale.ROOT, "startup: archive %s, %.1f MiB, %d classes shared, made in %.0f ms%n",
                        archive.file(), archive.bytes() / 1048576.0, archive.sharedClasses(), archive.createMillis());
            }
            for (JvmVariant v : s.variants()) {
                for (int w = 1; w <= s.warmups(); w++) {
                    RunSample sample = once(s, archive, v, 0, work, temp, "warmup-" + w + "-" + v.key());
                    progress.printf(Locale.ROOT, "startup: warm-up %-5s listening %6.0f ms, ready %6.0f ms%n",
                            v.key(), sample.listeningMillis(), sample.readyMillis());
                }
            }
            List<RunSample> samples = new ArrayList<>();
            for (int run = 1; run <= s.runs(); run++) {
                List<JvmVariant> order = new ArrayList<>(s.variants());
                if (run % 2 == 0) {
                    java.util.Collections.reverse(order);
                }
                for (JvmVariant v : order) {
                    RunSample sample = once(s, archive, v, run, work, temp,
                            String.format(Locale.ROOT, "run-%02d-%s", run, v.key()));
                    samples.add(sample);
                    progress.printf(Locale.ROOT, "startup: run %d/%d %-5s listening %6.0f ms, ready %6.0f ms,"
                                    + " agent startup_ms %5.0f, exit %d%n", run, s.runs(), v.key(),
                            sample.listeningMillis(), sample.readyMillis(), sample.agentStartupMillis(),
                            sample.exitCode());
                }
            }
            return new Result(s, samples, archive);
        } finally {
            deleteTree(temp);
        }
    }

    private record Prepared(StartupConfig config, Path file) {
    }

    /** The config for one start: the given file, or the shipped one on fresh ports with a fresh state directory. */
    private static Prepared prepare(Settings s, Path work, Path temp, String name) throws IOException {
        if (s.givenConfig() != null) {
            return new Prepared(StartupConfig.asGiven(Files.readString(s.givenConfig(), StandardCharsets.UTF_8)),
                    s.givenConfig());
        }
        Path state = Files.createDirectories(temp.resolve("state-" + name));
        StartupConfig config = StartupConfig.onFreePorts(s.shippedConfig(), state);
        Path file = work.resolve(name + ".yaml");
        Files.writeString(file, config.yaml(), StandardCharsets.UTF_8);
        return new Prepared(config, file);
    }

    private static RunSample once(Settings s, CdsArchive archive, JvmVariant v, int run,
                                  Path work, Path temp, String name)
            throws IOException, StartupFailedException, InterruptedException {
        Prepared p = prepare(s, work, temp, name);
        List<String> extra = v == JvmVariant.CDS ? List.of("-XX:SharedArchiveFile=" + archive.file()) : List.of();
        Path log = work.resolve(name + ".log");
        ChildProcess child = s.launcher().startAgent("junction-" + name, extra, p.file(), log);
        StartupProbe.Served served;
        double agentMillis;
        int exit;
        try {
            served = StartupProbe.await(child, p.config(), s.timeout());
            agentMillis = StartupProbe.agentStartupMillis(log);
        } finally {
            exit = child.stop(STOP_GRACE);
        }
        return new RunSample(v, run, served.listeningMillis(), served.readyMillis(), agentMillis, exit);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
