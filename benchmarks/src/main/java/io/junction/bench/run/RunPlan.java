package io.junction.bench.run;

import io.junction.bench.load.LoadSpec;
import io.junction.bench.targets.Target;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One mode's run. Immutable (the targets are started and closed by the {@link Runner}).
 *
 * @param spec          the load
 * @param rounds        interleaved rounds
 * @param targets       targets in run order within each round
 * @param required      names of targets the user asked for explicitly: if one cannot start the run fails
 * @param resultsDir    folder for reports; configs and proxy logs go into {@code resultsDir/<mode>/}
 * @param backendPort   port of the in-process backend, 0 = ephemeral
 * @param proxyThreads  worker threads asked of each proxy, 0 = its default
 * @param pinCpu        CPU for the proxies (taskset), -1 = no pinning
 * @param drain         how long to wait for in-flight operations after each window
 * @param prime         unrecorded load per target before round 1 (JIT warm-up); zero to skip. With
 *                      {@code fromStart}, the generator is primed straight against the backend instead
 * @param fromStart     launch each proxy afresh before each of its rounds, measure from the moment it listens
 *                      (no warm-up) and stop it after its window
 */
public record RunPlan(LoadSpec spec, int rounds, List<Target> targets, Set<String> required, Path resultsDir,
                      int backendPort, int proxyThreads, int pinCpu, Duration drain, Duration prime,
                      boolean fromStart) {
    public RunPlan {
        if (rounds < 1 || rounds > 1000) {
            throw new IllegalArgumentException("rounds: " + rounds + " (expected: 1..1000)");
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("targets: [] (expected: at least one target)");
        }
        targets = List.copyOf(targets);
        required = Set.copyOf(required);
    }
}
