package io.junction.bench.report;

import io.junction.bench.load.Mode;

/**
 * One target's numbers across all rounds of a mode: medians of per-round values, sums where a rate over the whole
 * run is wanted (CPU per GB, CPU per op, errors), ratios filled in once every target is summarized. Immutable.
 * Latencies are in microseconds; NaN means "not measured".
 *
 * @param cpuVsHaproxy the proxy CPU per unit of work ({@link #cpuPerUnit}) divided by HAProxy's
 */
public record TargetSummary(String target, int rounds, double primary, double primaryMin, double primaryMax,
                            double gbps, double opsPerSec, double p50, double p90, double p99, double p999,
                            double max, double connectP50, double connectP99, double lossPercent, long errors,
                            double cpuSecondsPerGb, double cpuMicrosPerOp, double rssMiB, long launchMillis,
                            double vsDirect, double vsHaproxy, double p99VsDirect, double cpuVsHaproxy) {

    /** A copy with the ratio columns set. */
    public TargetSummary withRatios(double direct, double haproxy, double p99Direct, double cpuHaproxy) {
        return new TargetSummary(target, rounds, primary, primaryMin, primaryMax, gbps, opsPerSec, p50, p90, p99,
                p999, max, connectP50, connectP99, lossPercent, errors, cpuSecondsPerGb, cpuMicrosPerOp, rssMiB,
                launchMillis, direct, haproxy, p99Direct, cpuHaproxy);
    }

    /**
     * Proxy CPU per unit of the mode's work: seconds per GB for tcp-stream (which has no operations), microseconds
     * per operation (request, connection or datagram) otherwise. NaN without a sampled process.
     */
    public double cpuPerUnit(Mode mode) {
        return mode == Mode.TCP_STREAM ? cpuSecondsPerGb : cpuMicrosPerOp;
    }
}
