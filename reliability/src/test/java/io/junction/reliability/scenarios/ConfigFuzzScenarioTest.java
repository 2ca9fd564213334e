package io.junction.reliability.scenarios;

import io.junction.agent.config.ConfigError;
import io.junction.agent.config.ConfigException;
import io.junction.agent.config.ConfigLoader;
import io.junction.agent.config.YamlLines;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.ReportExtension;
import io.junction.reliability.frame.Scenario;
import io.junction.reliability.frame.ScenarioInfo;
import io.junction.reliability.frame.Size;
import io.junction.reliability.traffic.ConfigMutator;
import io.junction.reliability.traffic.ConfigMutator.Mutant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario 22: a config fuzzer. Seeds are the valid configs the project ships (config/*.yaml, the configs inside
 * config/kubernetes ConfigMaps) and the YAML examples of docs/configuration.md; each case is one to three seeded
 * {@link ConfigMutator} mutations of a seed, written to a file and loaded with {@link ConfigLoader#load(Path)} (what
 * {@code junction run} and {@code junction validate} call), in this JVM. Whatever the input, only
 * {@link ConfigException} may escape, within a time bound per case, and every problem it lists names a line inside
 * the file or a field (whole-file problems, an empty or oversized file, name neither by nature). proxy-agent's
 * ConfigFuzzTest does random bytes and snippets over one file in every unit-test run; this is the larger, measured
 * run with YAML-aware mutations over every shipped example.
 */
@ExtendWith(ReportExtension.class)
class ConfigFuzzScenarioTest {
    /**
     * The slowest case's input, loaded again alone, must take at most this; any case that runs past
     * {@link #ABANDON_SECONDS} counts as a hang (an escape).
     */
    private static final double CASE_BOUND_MILLIS = 2000;
    private static final long ABANDON_SECONDS = 10;
    /** The run's seed; {@code -Djunction.reliability.fuzzSeed=N} explores other cases (the report names it). */
    private static final long SEED = Long.getLong("junction.reliability.fuzzSeed", 0x5EED_2022L);
    /** Whole-file problems: they have no line or field to name. */
    private static final List<String> WHOLE_FILE = List.of("the file is empty", "the file is larger than");
    private static final Pattern YAML_BLOCK = Pattern.compile("(?s)```yaml\\n(.*?)```");
    private static final Pattern CONFIGMAP_FILE = Pattern.compile("(?m)^  junction\\.yaml: \\|\\n((?:    .*\\n|\\n)+)");

    /** Cases run. */
    record Params(int cases) {
        static Params of(Size size) {
            return size.pick(new Params(1_000), new Params(10_000));
        }
    }

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "22", title = "Config fuzz: only the typed config error escapes")
    void everyMutatedConfigIsLoadedOrRejectedWithALineOrFieldAndNothingElseEscapes(Scenario scenario)
            throws Exception {
        Params p = Params.of(scenario.size());
        // The real loader with a resolver that needs no DNS: a mutated host name must not make a case wait on a
        // resolver timeout (what the fuzz measures is the loader), and the system one is not reachable here anyway.
        ConfigLoader loader = new ConfigLoader(ConfigFuzzScenarioTest::resolveWithoutDns);
        Map<String, String> seeds = validSeeds(loader, scenario);
        List<String> names = new ArrayList<>(seeds.keySet());
        Path file = dir.resolve("fuzz.yaml");
        Path kept = Path.of(System.getProperty("junction.reliability.reportDir", "target"), "config-fuzz");

        Random random = new Random(SEED);
        Map<ConfigMutator.Kind, Integer> kinds = new EnumMap<>(ConfigMutator.Kind.class);
        int accepted = 0;
        int rejected = 0;
        int escapes = 0;
        int unnamed = 0;
        double slowestMillis = 0;
        String slowestCase = "";
        byte[] slowestInput = new byte[0];
        double slowestAgainMillis = Double.MAX_VALUE;
        List<String> findings = new ArrayList<>();
        ExecutorService worker = Executors.newSingleThreadExecutor(daemon());
        try {
            for (int i = 0; i < p.cases(); i++) {
                String seedName = names.get(random.nextInt(names.size()));
                Mutant m = ConfigMutator.mutate(seeds.get(seedName), random);
                m.kinds().forEach(k -> kinds.merge(k, 1, Integer::sum));
                Files.write(file, m.bytes());
                String label = "case " + i + " (" + seedName + ", " + m.kinds() + ")";
                long t0 = System.nanoTime();
                Future<?> load = worker.submit(() -> loader.load(file));
                Throwable thrown = null;
                try {
                    load.get(ABANDON_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    thrown = e.getCause();
                } catch (TimeoutException e) {
                    load.cancel(true);
                    // The stuck thread is abandoned (a daemon); the next case gets a fresh one.
                    worker.shutdownNow();
                    worker = Executors.newSingleThreadExecutor(daemon());
                    thrown = new TimeoutException("no answer within " + ABANDON_SECONDS + " s");
                }
                double ms = (System.nanoTime() - t0) / 1e6;
                if (ms > slowestMillis) {
                    slowestMillis = ms;
                    slowestCase = label;
                    slowestInput = m.bytes();
                }
                if (thrown == null) {
                    accepted++;
                } else if (thrown instanceof ConfigException ce) {
                    rejected++;
                    List<String> bad = unnamedErrors(ce, m.bytes());
                    if (!bad.isEmpty()) {
                        unnamed++;
                        keep(kept, i, m.bytes(), findings, label + " rejected without a line or field: " + bad);
                    }
                } else {
                    escapes++;
                    keep(kept, i, m.bytes(), findings, label + " threw " + thrown);
                }
            }
            // A case can be slow because this shared machine paused the test, not because of its input: the
            // slowest input is loaded again alone, and the best of three is the loader's time for it.
            Files.write(file, slowestInput);
            for (int r = 0; r < 3; r++) {
                long t0 = System.nanoTime();
                Future<?> load = worker.submit(() -> loader.load(file));
                try {
                    load.get(ABANDON_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException expected) {
                    // rejected again, as in the run
                }
                slowestAgainMillis = Math.min(slowestAgainMillis, (System.nanoTime() - t0) / 1e6);
            }
        } finally {
            worker.shutdownNow();
        }
        // The slowest input too, to time it alone: a slow case may be the loader or a pause of this shared machine.
        Files.createDirectories(kept);
        Files.write(kept.resolve("slowest.yaml"), slowestInput);
        scenario.note(names.size() + " valid seeds: " + names);
        scenario.note("mutations applied by kind: " + kinds + " (1 to 3 per case, seed 0x" + Long.toHexString(SEED)
                + ")");
        scenario.note(p.cases() + " cases: " + accepted + " accepted, " + rejected + " rejected, " + escapes
                + " escaped; slowest " + Math.round(slowestMillis * 10) / 10.0 + " ms in the run: " + slowestCase
                + ", loaded again alone in " + Math.round(slowestAgainMillis * 10) / 10.0 + " ms (best of 3)");
        if (!findings.isEmpty()) {
            scenario.note("findings (inputs kept in " + kept + "): " + findings.subList(0, Math.min(8,
                    findings.size())));
        }
        scenario.figure("cases run", accepted + rejected + escapes, "", Bound.EXACTLY, p.cases());
        scenario.figure("exceptions other than ConfigException (or hangs) escaping", escapes, "", Bound.EXACTLY, 0);
        scenario.figure("rejections naming neither a line in the file nor a field", unnamed, "", Bound.EXACTLY, 0);
        scenario.figure("slowest case's input loaded alone (best of 3)", Math.round(slowestAgainMillis * 10) / 10.0,
                "ms", Bound.AT_MOST, CASE_BOUND_MILLIS);
        // Both outcomes must occur, or the mutator is not exercising the loader.
        scenario.figure("mutants accepted", accepted, "", Bound.AT_LEAST, 1);
        scenario.figure("mutants rejected", rejected, "", Bound.AT_LEAST, 1);
        scenario.assertPassed();
    }

    /**
     * The shipped configs and documented examples that load as they are: the files in config/, the files inside
     * the Kubernetes ConfigMaps, and every YAML block of docs/configuration.md. A documented example that does not
     * load is noted (it is a fragment, or a documentation bug) and not used as a seed.
     */
    private static Map<String, String> validSeeds(ConfigLoader loader, Scenario scenario) throws IOException {
        Path root = repositoryRoot();
        Map<String, String> candidates = new LinkedHashMap<>();
        for (String name : List.of("config/junction.yaml", "config/sidecar.yaml")) {
            candidates.put(name, Files.readString(root.resolve(name)));
        }
        for (String name : List.of("config/kubernetes/configmap.yaml", "config/kubernetes/sidecar/configmap.yaml")) {
            Matcher m = CONFIGMAP_FILE.matcher(Files.readString(root.resolve(name)));
            if (m.find()) {
                candidates.put(name + " (junction.yaml)", m.group(1).replaceAll("(?m)^    ", ""));
            }
        }
        Matcher block = YAML_BLOCK.matcher(Files.readString(root.resolve("docs/configuration.md")));
        for (int i = 1; block.find(); i++) {
            candidates.put("docs/configuration.md yaml block " + i, block.group(1));
        }
        Map<String, String> valid = new LinkedHashMap<>();
        List<String> refused = new ArrayList<>();
        for (Map.Entry<String, String> c : candidates.entrySet()) {
            try {
                loader.parse(c.getValue(), c.getKey());
                valid.put(c.getKey(), c.getValue());
            } catch (ConfigException e) {
                // A documented fragment (a discovery or defaults block) becomes a whole file with no services.
                String whole = c.getValue() + "services: []\n";
                boolean fragment = e.errors().stream().allMatch(err -> err.path().equals("services"));
                try {
                    if (!fragment) {
                        throw e;
                    }
                    loader.parse(whole, c.getKey());
                    valid.put(c.getKey() + " + services: []", whole);
                } catch (ConfigException still) {
                    refused.add(String.join("; ", still.getMessage().lines().toList()));
                }
            }
        }
        if (!refused.isEmpty()) {
            scenario.note("examples that do not load on their own, not used as seeds: " + refused);
        }
        if (valid.size() < 3) {
            throw new IllegalStateException("fewer than 3 valid seeds (" + valid.keySet() + "); refused: " + refused);
        }
        return valid;
    }

    /** The repository: the module's parent (Maven runs tests in the module directory). */
    private static Path repositoryRoot() {
        Path module = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = module; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("docs/configuration.md")) && Files.isDirectory(p.resolve("config"))) {
                return p;
            }
        }
        throw new IllegalStateException("no docs/configuration.md above " + module);
    }

    /** The problems of {@code e} that name neither a line within the file nor a field, whole-file ones apart. */
    private static List<String> unnamedErrors(ConfigException e, byte[] file) {
        int lines = YamlLines.count(new String(file, StandardCharsets.UTF_8));
        List<String> bad = new ArrayList<>();
        for (ConfigError error : e.errors()) {
            boolean wholeFile = WHOLE_FILE.stream().anyMatch(error.message()::startsWith)
                    || error.message().startsWith("too many errors");
            boolean lineInFile = error.line() >= 1 && error.line() <= lines;
            boolean lineOutside = error.line() > lines;
            if (lineOutside || !wholeFile && !lineInFile && error.path().isEmpty()) {
                bad.add(error + (lineOutside ? " (the file has " + lines + " lines)" : ""));
            }
        }
        return bad;
    }

    /** Keeps a finding's input next to the report, so it can be replayed. */
    private static void keep(Path kept, int index, byte[] input, List<String> findings, String what)
            throws IOException {
        Files.createDirectories(kept);
        Files.write(kept.resolve("case-" + index + ".yaml"), input);
        findings.add(what);
    }

    private static InetAddress resolveWithoutDns(String host) throws UnknownHostException {
        if (host.equalsIgnoreCase("localhost")) {
            return InetAddress.getLoopbackAddress();
        }
        throw new UnknownHostException(host + " (the fuzz resolves no names)");
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "config-fuzz-case");
            t.setDaemon(true);
            return t;
        };
    }
}
