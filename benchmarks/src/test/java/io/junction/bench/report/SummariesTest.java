package io.junction.bench.report;

import io.junction.bench.load.Measurement;
import io.junction.bench.load.Mode;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SummariesTest {
    private static final long SECOND = 1_000_000_000L;

    private static RoundResult round(String target, int round, long ops, long latencyMicros, double cpu) {
        Histogram lat = new Histogram(60 * SECOND, 3);
        for (int i = 0; i < ops; i++) {
            lat.recordValue(latencyMicros * 1000);
        }
        // 64-byte echo: ops × 64 bytes each way.
        Measurement m = new Measurement(SECOND, ops, ops * 64, ops * 64, 0, 0, 0, lat, new Histogram(3));
        return new RoundResult(target, round, m, cpu, cpu > 0 ? 10_240 : -1, 0.5, true);
    }

    @Test
    void summarizesMediansAndRatiosToDirectAndHaproxy() {
        List<RoundResult> direct = List.of(round("direct", 1, 1000, 50, Double.NaN),
                round("direct", 2, 3000, 40, Double.NaN), round("direct", 3, 2000, 60, Double.NaN));
        List<RoundResult> haproxy = List.of(round("haproxy", 1, 1000, 100, 0.2), round("haproxy", 2, 1000, 100, 0.2));
        List<RoundResult> junction = List.of(round("junction", 1, 1500, 80, 0.1),
                round("junction", 2, 1500, 80, 0.1));

        List<TargetSummary> rows = Summaries.withRatios(Mode.TCP_RR, List.of(
                Summaries.summarize(Mode.TCP_RR, "direct", direct, -1),
                Summaries.summarize(Mode.TCP_RR, "haproxy", haproxy, 40),
                Summaries.summarize(Mode.TCP_RR, "junction", junction, 900)));

        TargetSummary d = rows.get(0);
        assertThat(d.primary()).isEqualTo(2000);
        assertThat(d.primaryMin()).isEqualTo(1000);
        assertThat(d.primaryMax()).isEqualTo(3000);
        assertThat(d.vsDirect()).isEqualTo(1.0);
        assertThat(d.cpuSecondsPerGb()).isNaN();
        assertThat(d.rssMiB()).isNaN();

        TargetSummary j = rows.get(2);
        assertThat(j.primary()).isEqualTo(1500);
        assertThat(j.vsDirect()).isEqualTo(0.75);
        assertThat(j.vsHaproxy()).isEqualTo(1.5);
        assertThat(j.p50()).isCloseTo(80, within(0.1));
        assertThat(j.p99VsDirect()).isCloseTo(80.0 / 50, within(0.01));
        // 0.2 CPU s over 3000 ops × 128 bytes.
        assertThat(j.cpuSecondsPerGb()).isCloseTo(0.2 / (3000 * 128 / 1e9), within(0.01));
        assertThat(j.cpuMicrosPerOp()).isCloseTo(0.2e6 / 3000, within(0.01));
        assertThat(j.rssMiB()).isEqualTo(10.0);
        assertThat(j.launchMillis()).isEqualTo(900);
        // CPU per request against HAProxy's: (0.2 s / 3000) / (0.4 s / 2000).
        assertThat(j.cpuVsHaproxy()).isCloseTo((0.2 / 3000) / (0.4 / 2000), within(1e-9));
        assertThat(rows.get(1).cpuVsHaproxy()).isEqualTo(1.0);
        assertThat(d.cpuVsHaproxy()).as("direct has no proxy process").isNaN();
    }

    @Test
    void streamCpuIsComparedPerGigabyte() {
        Histogram none = new Histogram(3);
        // HAProxy: 1 CPU s for 10 GB; Junction: 1.2 CPU s for 8 GB.
        RoundResult h = new RoundResult("haproxy", 1, new Measurement(SECOND, 0, 10_000_000_000L, 0, 0, 0, 0, none,
                none), 1.0, 1, 0, true);
        RoundResult j = new RoundResult("junction", 1, new Measurement(SECOND, 0, 8_000_000_000L, 0, 0, 0, 0, none,
                none), 1.2, 1, 0, true);
        List<TargetSummary> rows = Summaries.withRatios(Mode.TCP_STREAM, List.of(
                Summaries.summarize(Mode.TCP_STREAM, "haproxy", List.of(h), 1),
                Summaries.summarize(Mode.TCP_STREAM, "junction", List.of(j), 1)));
        assertThat(rows.get(1).cpuPerUnit(Mode.TCP_STREAM)).isCloseTo(0.15, within(1e-9));
        assertThat(rows.get(1).cpuVsHaproxy()).isCloseTo(1.5, within(1e-9));
        assertThat(rows.get(1).cpuMicrosPerOp()).as("tcp-stream counts no operations").isNaN();
    }

    @Test
    void ratiosAreNaNWhenTheBaselineDidNotRun() {
        List<TargetSummary> rows = Summaries.withRatios(Mode.TCP_RR, List.of(
                Summaries.summarize(Mode.TCP_RR, "nginx", List.of(round("nginx", 1, 100, 10, 0.1)), 5)));
        assertThat(rows.get(0).vsDirect()).isNaN();
        assertThat(rows.get(0).vsHaproxy()).isNaN();
        assertThat(rows.get(0).cpuVsHaproxy()).isNaN();
    }

    @Test
    void streamPrimaryIsGbitPerSecondOfBothDirections() {
        Measurement m = new Measurement(2 * SECOND, 0, 1_000_000_000L, 1_500_000_000L, 0, 0, 0, new Histogram(3),
                new Histogram(3));
        assertThat(Summaries.primary(Mode.TCP_STREAM, m)).isCloseTo(10.0, within(1e-9));
    }

    @Test
    void udpStreamLossIsSentMinusEchoed() {
        Measurement m = new Measurement(SECOND, 900, 0, 0, 0, 1000, 0, new Histogram(3), new Histogram(3));
        assertThat(m.lossFraction(Mode.UDP_STREAM)).isCloseTo(0.1, within(1e-9));
        Measurement rr = new Measurement(SECOND, 990, 0, 0, 0, 1000, 10, new Histogram(3), new Histogram(3));
        assertThat(rr.lossFraction(Mode.UDP_RR)).isCloseTo(0.01, within(1e-9));
    }
}
