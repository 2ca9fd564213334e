package io.junction.bench.report;

import io.junction.bench.load.Measurement;
import io.junction.bench.load.Mode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Pure functions from round results to {@link TargetSummary} rows. Thread-safe (stateless).
 */
public final class Summaries {
    public static final String DIRECT = "direct";
    public static final String HAPROXY = "haproxy";

    private Summaries() {
    }

    /** The headline number of a round: Gbit/s for tcp-stream, operations per second otherwise. */
    public static double primary(Mode mode, Measurement m) {
        return mode == Mode.TCP_STREAM ? m.gbitPerSecond() : m.opsPerSecond();
    }

    /** Summarizes the rounds of one target (all with the same target name). */
    public static TargetSummary summarize(Mode mode, String target, List<RoundResult> rounds, long launchMillis) {
        double[] primary = each(rounds, r -> primary(mode, r.measurement()));
        double cpu = 0;
        boolean hasCpu = false;
        double gb = 0;
        long ops = 0;
        long errors = 0;
        long rss = -1;
        for (RoundResult r : rounds) {
            Measurement m = r.measurement();
            if (!Double.isNaN(r.proxyCpuSeconds())) {
                cpu += r.proxyCpuSeconds();
                hasCpu = true;
            }
            gb += (m.bytesIn() + m.bytesOut()) / 1e9;
            ops += m.ops();
            errors += m.errors();
            rss = Math.max(rss, r.proxyRssKb());
        }
        return new TargetSummary(target, rounds.size(),
                Stats.median(primary), Stats.min(primary), Stats.max(primary),
                Stats.median(each(rounds, r -> r.measurement().gbitPerSecond())),
                Stats.median(each(rounds, r -> r.measurement().opsPerSecond())),
                latency(mode, rounds, 50), latency(mode, rounds, 90), latency(mode, rounds, 99),
                latency(mode, rounds, 99.9),
                mode.hasLatency() ? Stats.median(each(rounds, r -> Stats.maxMicros(r.measurement().latency())))
                        : Double.NaN,
                Stats.median(each(rounds, r -> Stats.percentileMicros(r.measurement().connect(), 50))),
                Stats.median(each(rounds, r -> Stats.percentileMicros(r.measurement().connect(), 99))),
                isUdp(mode) ? Stats.median(each(rounds, r -> 100 * r.measurement().lossFraction(mode))) : Double.NaN,
                errors,
                hasCpu && gb > 0 ? cpu / gb : Double.NaN,
                hasCpu && ops > 0 ? cpu * 1e6 / ops : Double.NaN,
                rss < 0 ? Double.NaN : rss / 1024.0,
                launchMillis, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    /**
     * Fills in ratios to {@code direct} and {@code haproxy} (NaN where that target did not run), including the
     * proxy CPU per unit of work against HAProxy's.
     */
    public static List<TargetSummary> withRatios(Mode mode, List<TargetSummary> rows) {
        TargetSummary direct = find(rows, DIRECT);
        TargetSummary haproxy = find(rows, HAPROXY);
        List<TargetSummary> out = new ArrayList<>();
        for (TargetSummary s : rows) {
            out.add(s.withRatios(
                    direct == null ? Double.NaN : Stats.ratio(s.primary(), direct.primary()),
                    haproxy == null ? Double.NaN : Stats.ratio(s.primary(), haproxy.primary()),
                    direct == null ? Double.NaN : Stats.ratio(s.p99(), direct.p99()),
                    haproxy == null ? Double.NaN : Stats.ratio(s.cpuPerUnit(mode), haproxy.cpuPerUnit(mode))));
        }
        return out;
    }

    /**
     * Median across rounds of each second's rate ({@code --from-start}): element i is the median of every round's
     * rate in second i + 1 of its window. Empty when the rounds did not count per second.
     */
    public static double[] perSecondMedians(List<RoundResult> rounds) {
        List<double[]> rates = rounds.stream().map(r -> r.measurement().perSecondRates()).toList();
        int seconds = rates.stream().mapToInt(a -> a.length).max().orElse(0);
        double[] out = new double[seconds];
        for (int i = 0; i < seconds; i++) {
            int second = i;
            out[i] = Stats.median(rates.stream().mapToDouble(a -> second < a.length ? a[second] : Double.NaN)
                    .toArray());
        }
        return out;
    }

    /** Median launch-to-listening time of rounds that launched a process, or {@code fallback} when none did. */
    public static long medianLaunchMillis(List<RoundResult> rounds, long fallback) {
        double[] launches = rounds.stream().filter(r -> r.launchMillis() >= 0).mapToDouble(RoundResult::launchMillis)
                .toArray();
        return launches.length == 0 ? fallback : Math.round(Stats.median(launches));
    }

    private static TargetSummary find(List<TargetSummary> rows, String name) {
        return rows.stream().filter(s -> s.target().equals(name)).findFirst().orElse(null);
    }

    private static boolean isUdp(Mode mode) {
        return mode == Mode.UDP_STREAM || mode == Mode.UDP_RR;
    }

    private static double latency(Mode mode, List<RoundResult> rounds, double percentile) {
        if (!mode.hasLatency()) {
            return Double.NaN;
        }
        return Stats.median(each(rounds, r -> Stats.percentileMicros(r.measurement().latency(), percentile)));
    }

    private static double[] each(List<RoundResult> rounds, ToDoubleFunction<RoundResult> f) {
        return rounds.stream().mapToDouble(f).toArray();
    }
}
