package io.junction.bench.startup;

/**
 * One measured start of the agent. Times are wall-clock milliseconds from just before the process was spawned.
 * Immutable.
 *
 * @param variant            how the JVM was started
 * @param run                1-based run number (a CDS and a plain start share it when both are measured)
 * @param listeningMillis    until the first TCP connect to a service listener succeeded
 * @param readyMillis        until {@code /readyz} answered 200; NaN when the config has no admin server
 * @param agentStartupMillis the agent's own {@code startup_ms} log field (from its main method, so without JVM
 *                           boot); NaN when the line was not found
 * @param exitCode           the exit code after SIGTERM (0 for a clean drain), -1 when it had to be killed
 */
public record RunSample(JvmVariant variant, int run, double listeningMillis, double readyMillis,
                        double agentStartupMillis, int exitCode) {
}
