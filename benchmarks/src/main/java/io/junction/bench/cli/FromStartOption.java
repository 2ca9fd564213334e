package io.junction.bench.cli;

import picocli.CommandLine.Option;

import java.time.Duration;

/**
 * {@code --from-start} of tcp-rr, tcp-crr and tcp-bcf (a picocli mixin): cold-start measurement. Filled by picocli
 * on the main thread, then read-only.
 */
final class FromStartOption {
    /** Window when --duration is not given: long enough to see a JVM proxy's JIT compilation settle. */
    static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);

    @Option(names = "--from-start",
            description = "Cold start: launch every proxy afresh before each of its rounds and measure from the moment"
                    + " it listens, with no priming and no warm-up (the generator is primed straight against the"
                    + " backend instead); reports the rate in each second of the window beside the whole-window"
                    + " figure. The window is 30 s unless --duration says otherwise.")
    boolean enabled;

    Duration warmup(CommonOptions o) {
        if (!enabled) {
            return o.warmup();
        }
        if (o.warmup != null) {
            throw new IllegalArgumentException("--warmup: " + o.warmup.toMillis() + " ms given with --from-start"
                    + " (expected: none; the window opens the moment the proxy listens)");
        }
        return Duration.ZERO;
    }

    Duration duration(CommonOptions o) {
        return enabled && o.duration == null ? DEFAULT_WINDOW : o.duration();
    }
}
