package io.junction.bench.report;

import io.junction.bench.load.LoadSpec;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything measured for one mode in one invocation. Immutable by convention (collections are copies, the
 * histograms are merged copies nobody records into).
 *
 * @param spec       the load that was run
 * @param rounds     number of interleaved rounds
 * @param prime      unrecorded priming load per target before round 1
 * @param order      target names in the order they ran within each round
 * @param summaries  one row per target that ran, ratios filled in
 * @param results    every round of every target, in run order
 * @param skipped    targets that did not run, with the reason shown to the user
 * @param latency    per target: all rounds' latency histograms merged (nanoseconds)
 * @param connect    per target: merged connect-latency histograms (tcp-crr and tcp-bcf)
 * @param fromStart  whether each round launched the proxies afresh and measured from the moment they listened
 */
public record ModeReport(LoadSpec spec, int rounds, Duration prime, List<String> order, List<TargetSummary> summaries,
                         List<RoundResult> results, Map<String, String> skipped, Map<String, Histogram> latency,
                         Map<String, Histogram> connect, boolean fromStart) {

    /** A report of a run that measured warmed-up proxies. */
    public ModeReport(LoadSpec spec, int rounds, Duration prime, List<String> order, List<TargetSummary> summaries,
                      List<RoundResult> results, Map<String, String> skipped, Map<String, Histogram> latency,
                      Map<String, Histogram> connect) {
        this(spec, rounds, prime, order, summaries, results, skipped, latency, connect, false);
    }

    public ModeReport {
        order = List.copyOf(order);
        summaries = List.copyOf(summaries);
        results = List.copyOf(results);
        skipped = Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
        latency = Collections.unmodifiableMap(new LinkedHashMap<>(latency));
        connect = Collections.unmodifiableMap(new LinkedHashMap<>(connect));
    }
}
