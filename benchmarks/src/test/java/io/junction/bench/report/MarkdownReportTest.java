package io.junction.bench.report;

import io.junction.bench.backend.StreamDirection;
import io.junction.bench.load.LoadSpec;
import io.junction.bench.load.Measurement;
import io.junction.bench.load.Mode;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Proxy CPU per unit of work, and its multiple of HAProxy's, sit right after the headline ratios in every mode. */
class MarkdownReportTest {
    private static final long SECOND = 1_000_000_000L;

    static RoundResult round(String target, long ops, long bytes, double cpu) {
        Histogram lat = new Histogram(60 * SECOND, 3);
        for (int i = 0; i < ops; i++) {
            lat.recordValue(100_000);
        }
        return new RoundResult(target, 1, new Measurement(SECOND, ops, bytes, bytes, 0, 0, 0, lat, lat.copy()), cpu,
                Double.isNaN(cpu) ? -1 : 20_480, 0.5, true);
    }

    static ModeReport report(Mode mode, List<RoundResult> results) {
        LoadSpec spec = new LoadSpec(mode, 4, 64, StreamDirection.UPLOAD, mode == Mode.UDP_STREAM ? 1000 : 0,
                Duration.ZERO, Duration.ofSeconds(1), 1_000_000, Duration.ofMillis(200));
        List<TargetSummary> rows = new ArrayList<>();
        List<String> order = new ArrayList<>();
        for (RoundResult r : results) {
            order.add(r.target());
            rows.add(Summaries.summarize(mode, r.target(), List.of(r), r.target().equals("direct") ? -1 : 50));
        }
        return new ModeReport(spec, 1, Duration.ofSeconds(1), order, Summaries.withRatios(mode, rows), results,
                Map.of(), Map.of(), Map.of());
    }

    private static List<String> header(String markdown) {
        String line = markdown.lines().filter(l -> l.startsWith("| target |")).findFirst().orElseThrow();
        return List.of(line.substring(2, line.length() - 2).split(" \\| "));
    }

    private static String row(String markdown, String target) {
        return markdown.lines().filter(l -> l.startsWith("| " + target + " |")).findFirst().orElseThrow();
    }

    @Test
    void connectionModesShowCpuPerConnectionAndItsMultipleOfHaproxysAfterTheRatios() {
        // HAProxy: 80 µs per connection; Junction: 400 µs.
        ModeReport r = report(Mode.TCP_BCF, List.of(round("direct", 10_000, 0, Double.NaN),
                round("haproxy", 5_000, 0, 0.4), round("junction", 2_500, 0, 1.0)));
        String md = MarkdownReport.renderMode(r);
        assertThat(header(md)).startsWith("target", "conn/s", "min–max", "× direct", "× haproxy",
                "proxy CPU µs/conn", "CPU × haproxy", "connect p50 µs");
        assertThat(header(md)).containsOnlyOnce("proxy CPU µs/conn");
        assertThat(row(md, "junction")).startsWith("| junction | 2,500 | 2,500–2,500 | 0.25 | 0.50 | 400.0 | 5.00 |");
        assertThat(row(md, "haproxy")).contains("| 0.50 | 1.00 | 80.0 | 1.00 |");
        assertThat(row(md, "direct")).contains("| 1.00 | 2.00 | – | – |");
        assertThat(md).contains("**Proxy CPU per connection** (user + system, whole process tree; lower is better):"
                + " haproxy 80.0 µs; junction 400.0 µs (5.00× haproxy).");
    }

    @Test
    void requestModesKeepCpuPerGbAtTheEndAndStreamShowsCpuPerGbUpFront() {
        String rr = MarkdownReport.renderMode(report(Mode.TCP_RR, List.of(round("haproxy", 1000, 64_000, 0.02),
                round("nginx", 1000, 64_000, 0.01))));
        assertThat(header(rr)).startsWith("target", "req/s", "min–max", "× haproxy", "proxy CPU µs/op",
                "CPU × haproxy", "p50 µs");
        assertThat(header(rr)).contains("proxy CPU s/GB").doesNotHaveDuplicates();
        assertThat(row(rr, "nginx")).contains("| 10.00 | 0.50 |");

        String stream = MarkdownReport.renderMode(report(Mode.TCP_STREAM, List.of(
                round("haproxy", 0, 5_000_000_000L, 1.0), round("junction", 0, 5_000_000_000L, 0.9))));
        assertThat(header(stream)).startsWith("target", "Gbit/s", "min–max", "× haproxy", "proxy CPU s/GB",
                "CPU × haproxy", "proxy RSS MiB");
        assertThat(row(stream, "junction")).contains("| 0.090 | 0.90 |");
        assertThat(stream).contains("**Proxy CPU per GB forwarded**");
    }

    @Test
    void withoutHaproxyThereIsNoCpuRatioColumnButTheCpuFigureStays() {
        String udp = MarkdownReport.renderMode(report(Mode.UDP_RR, List.of(round("direct", 1000, 0, Double.NaN),
                round("nginx", 800, 0, 0.008))));
        assertThat(header(udp)).startsWith("target", "req/s", "min–max", "× direct", "proxy CPU µs/op", "loss %")
                .doesNotContain("CPU × haproxy");
        assertThat(udp).contains("**Proxy CPU per request** (user + system, whole process tree; lower is better):"
                + " nginx 10.00 µs.");
    }

    @Test
    void jsonAddsTheCpuRatioAndKeepsTheOldFields() {
        ModeReport r = report(Mode.TCP_CRR, List.of(round("haproxy", 5_000, 0, 0.4),
                round("junction", 2_500, 0, 1.0)));
        String json = JsonReport.render("now", HostInfo.current(false, 0, 1), List.of(r));
        assertThat(json).contains("\"proxyCpuMicrosPerOp\" : 400.0", "\"proxyCpuSecondsPerGb\"",
                "\"vsHaproxy\" : 0.5", "\"proxyCpuVsHaproxy\" : 5.0", "\"backend\" : \"echo\"");
    }
}
