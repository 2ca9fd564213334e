/**
 * Entry point of {@code benchmarks.jar}: {@code jmh …} goes to JMH, everything else to the load harness CLI in
 * {@link io.junction.bench.cli}. The JMH suites live in sub-packages ({@code io.junction.bench.lb}, …).
 */
package io.junction.bench;
