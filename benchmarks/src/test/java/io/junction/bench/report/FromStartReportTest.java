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
import static org.assertj.core.api.Assertions.within;

/** The per-second series of --from-start: medians across rounds, the table and the JSON. */
class FromStartReportTest {
    private static final long SECOND = 1_000_000_000L;

    private static RoundResult round(String target, int round, long launchMillis, long... perSecond) {
        long ops = java.util.Arrays.stream(perSecond).sum();
        Measurement m = new Measurement(perSecond.length * SECOND, ops, 0, 0, 0, 0, 0, new Histogram(3),
                new Histogram(3), perSecond);
        return new RoundResult(target, round, m, launchMillis < 0 ? Double.NaN : 0.1, 1, 0.1, true, launchMillis);
    }

    private static ModeReport report(List<RoundResult> results, int rounds) {
        LoadSpec spec = new LoadSpec(Mode.TCP_CRR, 4, 64, StreamDirection.UPLOAD, 0, Duration.ZERO,
                Duration.ofSeconds(3), 1_000_000, Duration.ofMillis(200));
        List<String> order = results.stream().map(RoundResult::target).distinct().toList();
        List<TargetSummary> rows = new ArrayList<>();
        for (String t : order) {
            List<RoundResult> mine = results.stream().filter(r -> r.target().equals(t)).toList();
            rows.add(Summaries.summarize(Mode.TCP_CRR, t, mine, Summaries.medianLaunchMillis(mine, -1)));
        }
        return new ModeReport(spec, rounds, Duration.ofSeconds(2), order, Summaries.withRatios(Mode.TCP_CRR, rows),
                results, Map.of(), Map.of(), Map.of(), true);
    }

    @Test
    void eachSecondIsTheMedianOfThatSecondAcrossRounds() {
        List<RoundResult> rounds = List.of(round("junction", 1, 700, 100, 400, 900),
                round("junction", 2, 650, 300, 600, 1000), round("junction", 3, 900, 200, 500));
        double[] medians = Summaries.perSecondMedians(rounds);
        assertThat(medians).hasSize(3);
        assertThat(medians[0]).isCloseTo(200, within(1e-9));
        assertThat(medians[1]).isCloseTo(500, within(1e-9));
        assertThat(medians[2]).as("a round with a shorter window has no third second").isCloseTo(950, within(1e-9));
        assertThat(Summaries.medianLaunchMillis(rounds, -1)).isEqualTo(700);
        assertThat(Summaries.medianLaunchMillis(List.of(round("direct", 1, -1, 1)), 42)).isEqualTo(42);
        assertThat(Summaries.perSecondMedians(List.of(round("x", 1, -1)))).isEmpty();
    }

    @Test
    void theTableListsEverySecondThenTheWholeWindow() {
        ModeReport r = report(List.of(round("direct", 1, -1, 5000, 6000, 6000),
                round("junction", 1, 700, 1000, 2500, 4000), round("haproxy", 1, 30, 3000, 3100, 3200)), 1);
        String md = MarkdownReport.renderMode(r);
        assertThat(md).contains("× 3 s from start: each proxy launched afresh before each of its rounds and measured"
                + " from the moment it listened, with no warm-up and no priming (the generator was primed for 2 s"
                + " straight against the backend)");
        assertThat(md).contains("""
                ### tcp-crr: conn/s in each second after launch (median of 1 round)

                | second | direct | junction | haproxy |
                | ---: | ---: | ---: | ---: |
                | 1 | 5,000 | 1,000 | 3,000 |
                | 2 | 6,000 | 2,500 | 3,100 |
                | 3 | 6,000 | 4,000 | 3,200 |
                | whole window | 5,667 | 2,500 | 3,100 |
                """);
        assertThat(md.lines().filter(l -> l.startsWith("| junction |")).findFirst().orElseThrow())
                .as("launch ms is the median of the rounds' launches").endsWith("| 700 | 0 |");
    }

    @Test
    void runsWithoutFromStartHaveNoSeriesAndJsonCarriesIt() {
        ModeReport r = report(List.of(round("junction", 1, 700, 1000, 2000)), 1);
        ModeReport warm = new ModeReport(r.spec(), 1, Duration.ofSeconds(1), r.order(), r.summaries(), r.results(),
                Map.of(), Map.of(), Map.of());
        assertThat(MarkdownReport.perSecondTable(warm)).isEmpty();
        String json = JsonReport.render("now", HostInfo.current(false, 0, 1), List.of(r));
        assertThat(json).contains("\"fromStart\" : true", "\"perSecondMedian\" : [ 1000.0, 2000.0 ]",
                "\"perSecondOps\" : [ 1000, 2000 ]", "\"launchToListeningMillis\" : 700");
    }
}
