package io.junction.bench.startup;

import io.junction.bench.report.HostInfo;
import io.junction.bench.report.Stats;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import static io.junction.bench.report.MarkdownReport.fmt;

/**
 * Renders a start-up result as Markdown (one row per JVM variant, the CDS ratio, the target) and as JSON (every
 * start, so figures can be recomputed). Thread-safe (stateless).
 */
public final class StartupReport {
    /** Issue 17's target: start to listening with the shipped unit's options. */
    public static final double TARGET_MILLIS = 1500;
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private StartupReport() {
    }

    public static Distribution listening(List<RunSample> samples) {
        return of(samples, RunSample::listeningMillis);
    }

    public static Distribution ready(List<RunSample> samples) {
        return of(samples, RunSample::readyMillis);
    }

    public static Distribution agentStartup(List<RunSample> samples) {
        return of(samples, RunSample::agentStartupMillis);
    }

    private static Distribution of(List<RunSample> samples, ToDoubleFunction<RunSample> f) {
        return Distribution.of(samples.stream().mapToDouble(f).toArray());
    }

    public static String markdown(String title, HostInfo host, StartupBenchmark.Result r) {
        StartupBenchmark.Settings s = r.settings();
        StringBuilder b = new StringBuilder();
        b.append("# ").append(title).append("\n\n");
        b.append(host.describe()).append("\n\n");
        if (host.busy()) {
            b.append("> **Warning:** the machine was busy when the run started (load average ")
                    .append(fmt(host.loadAverage(), 2)).append(" on ").append(host.cores())
                    .append(" cores); start-up competes with that work for the CPU, so expect noisy numbers.\n\n");
        }
        b.append("`").append(s.launcher().jar()).append("` started ").append(s.runs())
                .append(" times per row with the JVM options of `").append(s.unitFile()).append("` (`")
                .append(String.join(" ", s.launcher().unitOptions())).append("`), `")
                .append(s.launcher().java()).append("`, on ")
                .append(s.givenConfig() != null ? "`" + s.givenConfig() + "` as given"
                        : "the shipped config moved to free loopback ports (registry included, its state in an"
                                + " empty temporary directory)")
                .append(". Wall time from spawning `java` to the first TCP connect a service listener accepted,"
                        + " and to `/readyz` answering 200 (polled every ").append(StartupProbe.POLL_MILLIS)
                .append(" ms). ");
        if (s.variants().size() > 1) {
            b.append("The rows' starts alternate (A B, B A, …), so both saw the same machine. ");
        }
        b.append(s.warmups()).append(" unrecorded warm-up start(s) per row first. `agent startup_ms` is the"
                + " agent's own figure, from its main method (JVM boot not included).\n\n");
        b.append("| JVM | runs | listening min ms | median | p90 | max | /readyz 200 min ms | median | p90 | max"
                + " | agent startup_ms median |\n");
        b.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (JvmVariant v : s.variants()) {
            List<RunSample> samples = r.of(v);
            Distribution l = listening(samples);
            Distribution d = ready(samples);
            b.append("| ").append(v.label()).append(" | ").append(samples.size());
            for (Distribution x : List.of(l, d)) {
                b.append(" | ").append(fmt(x.min(), 0)).append(" | ").append(fmt(x.median(), 0)).append(" | ")
                        .append(fmt(x.p90(), 0)).append(" | ").append(fmt(x.max(), 0));
            }
            b.append(" | ").append(fmt(agentStartup(samples).median(), 0)).append(" |\n");
        }
        b.append('\n');
        CdsArchive a = r.archive();
        if (a != null) {
            b.append(String.format(Locale.ROOT, "AppCDS archive: %.1f MiB, %,d classes loaded from it by a"
                            + " verifying JVM, made by one start with `-XX:ArchiveClassesAtExit` and SIGTERM in %,.0f"
                            + " ms.", a.bytes() / 1048576.0, a.sharedClasses(), a.createMillis()));
            if (s.variants().contains(JvmVariant.PLAIN)) {
                Distribution lp = listening(r.of(JvmVariant.PLAIN));
                Distribution lc = listening(r.of(JvmVariant.CDS));
                Distribution rp = ready(r.of(JvmVariant.PLAIN));
                Distribution rc = ready(r.of(JvmVariant.CDS));
                b.append(" With it ÷ without, medians: **").append(fmt(Stats.ratio(lc.median(), lp.median()), 2))
                        .append("× to listening** (").append(fmt(lp.median(), 0)).append(" → ")
                        .append(fmt(lc.median(), 0)).append(" ms), ")
                        .append(fmt(Stats.ratio(rc.median(), rp.median()), 2)).append("× to `/readyz` 200 (")
                        .append(fmt(rp.median(), 0)).append(" → ").append(fmt(rc.median(), 0)).append(" ms).");
            }
            b.append("\n\n");
        }
        List<String> verdicts = new ArrayList<>();
        for (JvmVariant v : s.variants()) {
            double median = listening(r.of(v)).median();
            verdicts.add(v.label() + " " + fmt(median, 0) + " ms " + (median <= TARGET_MILLIS ? "✔" : "✘"));
        }
        b.append("Target: start to listening ≤ ").append(fmt(TARGET_MILLIS, 0)).append(" ms (median): ")
                .append(String.join("; ", verdicts)).append(".\n");
        long unclean = r.samples().stream().filter(x -> x.exitCode() != 0).count();
        if (unclean > 0) {
            b.append("\n").append(unclean).append(" start(s) did not exit with 0 after SIGTERM; see the logs in"
                    + " `startup/`.\n");
        }
        return b.toString();
    }

    public static String json(String startedAt, HostInfo host, StartupBenchmark.Result r) {
        StartupBenchmark.Settings s = r.settings();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("tool", "junction-bench");
        root.put("mode", "startup");
        root.put("startedAt", startedAt);
        root.put("host", host);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("runs", s.runs());
        spec.put("warmups", s.warmups());
        spec.put("java", s.launcher().java().toString());
        spec.put("jar", s.launcher().jar().toString());
        spec.put("unitFile", s.unitFile().toString());
        spec.put("unitJavaOptions", s.launcher().unitOptions());
        spec.put("config", s.givenConfig() != null ? s.givenConfig().toString() : "shipped, on free ports");
        spec.put("variants", s.variants().stream().map(JvmVariant::key).toList());
        spec.put("pollMillis", StartupProbe.POLL_MILLIS);
        spec.put("timeoutMillis", s.timeout().toMillis());
        root.put("spec", spec);
        Map<String, Object> summaries = new LinkedHashMap<>();
        for (JvmVariant v : s.variants()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("listeningMillis", json(listening(r.of(v))));
            m.put("readyMillis", json(ready(r.of(v))));
            m.put("agentStartupMillis", json(agentStartup(r.of(v))));
            summaries.put(v.key(), m);
        }
        root.put("summaries", summaries);
        if (r.archive() != null) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("bytes", r.archive().bytes());
            a.put("sharedClasses", r.archive().sharedClasses());
            a.put("createMillis", r.archive().createMillis());
            root.put("cdsArchive", a);
        }
        List<Object> runs = new ArrayList<>();
        for (RunSample x : r.samples()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("run", x.run());
            m.put("variant", x.variant().key());
            m.put("listeningMillis", nullIfNaN(x.listeningMillis()));
            m.put("readyMillis", nullIfNaN(x.readyMillis()));
            m.put("agentStartupMillis", nullIfNaN(x.agentStartupMillis()));
            m.put("exitCode", x.exitCode());
            runs.add(m);
        }
        root.put("runs", runs);
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    }

    private static Map<String, Object> json(Distribution d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", d.count());
        m.put("min", nullIfNaN(d.min()));
        m.put("median", nullIfNaN(d.median()));
        m.put("p90", nullIfNaN(d.p90()));
        m.put("max", nullIfNaN(d.max()));
        return m;
    }

    private static Object nullIfNaN(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
