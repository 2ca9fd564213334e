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
 */
public record RoundResult(String target, int round, Measurement measurement, double proxyCpuSeconds,
                          long proxyRssKb, double harnessCpuSeconds, boolean proxyAlive) {
}
