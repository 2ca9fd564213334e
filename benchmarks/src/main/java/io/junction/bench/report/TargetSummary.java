package io.junction.bench.report;

/**
 * One target's numbers across all rounds of a mode: medians of per-round values, sums where a rate over the whole
 * run is wanted (CPU per GB, CPU per op, errors), ratios filled in once every target is summarized. Immutable.
 * Latencies are in microseconds; NaN means "not measured".
 */
public record TargetSummary(String target, int rounds, double primary, double primaryMin, double primaryMax,
                            double gbps, double opsPerSec, double p50, double p90, double p99, double p999,
                            double max, double connectP50, double connectP99, double lossPercent, long errors,
                            double cpuSecondsPerGb, double cpuMicrosPerOp, double rssMiB, long launchMillis,
                            double vsDirect, double vsHaproxy, double p99VsDirect) {

    /** A copy with the ratio columns set. */
    public TargetSummary withRatios(double direct, double haproxy, double p99Direct) {
        return new TargetSummary(target, rounds, primary, primaryMin, primaryMax, gbps, opsPerSec, p50, p90, p99,
                p999, max, connectP50, connectP99, lossPercent, errors, cpuSecondsPerGb, cpuMicrosPerOp, rssMiB,
                launchMillis, direct, haproxy, p99Direct);
    }
}
