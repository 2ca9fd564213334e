package io.junction.bench.report;

import io.junction.bench.load.Measurement;

/**
 * One target in one round. Immutable.
 *
 * @param target            target name
 * @param round             1-based round number
 * @param measurement       what the load generator saw
 * @param proxyCpuSeconds   CPU seconds the proxy process tree used during the window, NaN without a process
 * @param proxyRssKb        proxy tree RSS at the end of the window, -1 without a process
 * @param harnessCpuSeconds CPU seconds this JVM (load generator and backends) used during the window
 * @param proxyAlive        whether the proxy process was still running after the window
 * @param launchMillis      launch-to-listening time of the process measured in this round ({@code --from-start}
 *                          launches one per round), -1 when the round did not launch one
 */
public record RoundResult(String target, int round, Measurement measurement, double proxyCpuSeconds,
                          long proxyRssKb, double harnessCpuSeconds, boolean proxyAlive, long launchMillis) {

    /** A round of a process launched before the rounds began (or of no process). */
    public RoundResult(String target, int round, Measurement measurement, double proxyCpuSeconds, long proxyRssKb,
                       double harnessCpuSeconds, boolean proxyAlive) {
        this(target, round, measurement, proxyCpuSeconds, proxyRssKb, harnessCpuSeconds, proxyAlive, -1);
    }
}
