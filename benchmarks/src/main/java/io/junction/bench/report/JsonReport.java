package io.junction.bench.report;

import io.junction.bench.load.LoadSpec;
import io.junction.bench.load.Measurement;
import io.junction.bench.load.Mode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the run as JSON: host, and per mode the spec, the summaries and every round. NaN becomes {@code null}
 * so the file is strict JSON. Built as ordered maps so the layout is explicit and stable. Thread-safe
 * (stateless).
 */
public final class JsonReport {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private JsonReport() {
    }

    public static void write(Path file, String startedAt, HostInfo host, List<ModeReport> reports)
            throws IOException {
        Files.writeString(file, render(startedAt, host, reports), StandardCharsets.UTF_8);
    }

    public static String render(String startedAt, HostInfo host, List<ModeReport> reports) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("tool", "junction-bench");
        root.put("startedAt", startedAt);
        root.put("host", host);
        List<Object> modes = new ArrayList<>();
        for (ModeReport r : reports) {
            modes.add(mode(r));
        }
        root.put("modes", modes);
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    }

    private static Map<String, Object> mode(ModeReport r) {
        LoadSpec s = r.spec();
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("connections", s.connections());
        spec.put("messageSize", s.messageSize());
        spec.put("direction", s.direction().name().toLowerCase());
        spec.put("rate", s.rate());
        spec.put("primeSeconds", r.prime().toMillis() / 1000.0);
        spec.put("warmupSeconds", s.warmup().toMillis() / 1000.0);
        spec.put("durationSeconds", s.duration().toMillis() / 1000.0);
        spec.put("maxOps", s.maxOps());
        spec.put("description", s.describe());
        spec.put("backend", s.backend().cliName());
        if (s.mode() == Mode.TCP_BCF) {
            spec.put("flavor", s.flavor().cliName());
            spec.put("responseSize", s.responseSize());
        }

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", s.mode().cliName());
        m.put("primaryUnit", s.mode().primaryUnit());
        m.put("spec", spec);
        m.put("rounds", r.rounds());
        m.put("fromStart", r.fromStart());
        m.put("order", r.order());
        List<Object> summaries = new ArrayList<>();
        for (TargetSummary t : r.summaries()) {
            Map<String, Object> o = summary(t);
            if (r.fromStart()) {
                o.put("perSecondMedian", nums(Summaries.perSecondMedians(r.results().stream()
                        .filter(x -> x.target().equals(t.target())).toList())));
            }
            summaries.add(o);
        }
        m.put("summaries", summaries);
        List<Object> rounds = new ArrayList<>();
        for (RoundResult rr : r.results()) {
            rounds.add(round(rr));
        }
        m.put("results", rounds);
        m.put("skipped", r.skipped());
        return m;
    }

    private static Map<String, Object> summary(TargetSummary t) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("target", t.target());
        o.put("rounds", t.rounds());
        o.put("primaryMedian", num(t.primary()));
        o.put("primaryMin", num(t.primaryMin()));
        o.put("primaryMax", num(t.primaryMax()));
        o.put("gbitPerSecond", num(t.gbps()));
        o.put("opsPerSecond", num(t.opsPerSec()));
        o.put("p50Micros", num(t.p50()));
        o.put("p90Micros", num(t.p90()));
        o.put("p99Micros", num(t.p99()));
        o.put("p999Micros", num(t.p999()));
        o.put("maxMicros", num(t.max()));
        o.put("connectP50Micros", num(t.connectP50()));
        o.put("connectP99Micros", num(t.connectP99()));
        o.put("lossPercent", num(t.lossPercent()));
        o.put("errors", t.errors());
        o.put("proxyCpuSecondsPerGb", num(t.cpuSecondsPerGb()));
        o.put("proxyCpuMicrosPerOp", num(t.cpuMicrosPerOp()));
        o.put("proxyRssMiB", num(t.rssMiB()));
        o.put("launchToListeningMillis", t.launchMillis() < 0 ? null : t.launchMillis());
        o.put("vsDirect", num(t.vsDirect()));
        o.put("vsHaproxy", num(t.vsHaproxy()));
        o.put("p99VsDirect", num(t.p99VsDirect()));
        o.put("proxyCpuVsHaproxy", num(t.cpuVsHaproxy()));
        return o;
    }

    private static Map<String, Object> round(RoundResult r) {
        Measurement m = r.measurement();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("target", r.target());
        o.put("round", r.round());
        o.put("windowSeconds", m.seconds());
        o.put("ops", m.ops());
        o.put("bytesOut", m.bytesOut());
        o.put("bytesIn", m.bytesIn());
        o.put("errors", m.errors());
        o.put("datagramsSent", m.sent());
        o.put("datagramsLost", m.lost());
        o.put("p50Micros", num(Stats.percentileMicros(m.latency(), 50)));
        o.put("p99Micros", num(Stats.percentileMicros(m.latency(), 99)));
        o.put("proxyCpuSeconds", num(r.proxyCpuSeconds()));
        o.put("proxyRssKb", r.proxyRssKb() < 0 ? null : r.proxyRssKb());
        o.put("harnessCpuSeconds", num(r.harnessCpuSeconds()));
        o.put("proxyAlive", r.proxyAlive());
        if (r.launchMillis() >= 0) {
            o.put("launchToListeningMillis", r.launchMillis());
        }
        if (m.perSecond().length > 0) {
            o.put("perSecondOps", m.perSecond());
        }
        return o;
    }

    private static List<Double> nums(double[] values) {
        List<Double> out = new ArrayList<>();
        for (double v : values) {
            out.add(num(v));
        }
        return out;
    }

    private static Double num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
    }
}
