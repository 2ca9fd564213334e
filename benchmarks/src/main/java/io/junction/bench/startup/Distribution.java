package io.junction.bench.startup;

import io.junction.bench.report.Stats;

import java.util.Arrays;

/**
 * Min, median, p90 and max of a few timings (one per run). The p90 is the nearest-rank one: the smallest value with
 * at least 90 % of the runs at or below it (the 9th of 10, the 18th of 20), so it is always a time that was
 * measured. NaN values (a run without that probe) are left out; with none left every figure is NaN. Immutable.
 */
public record Distribution(int count, double min, double median, double p90, double max) {

    public static Distribution of(double... values) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return new Distribution(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        return new Distribution(v.length, v[0], Stats.median(v), nearestRank(v, 0.90), v[v.length - 1]);
    }

    /** The value at rank ceil(p × n) (1-based) of sorted values. */
    static double nearestRank(double[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
