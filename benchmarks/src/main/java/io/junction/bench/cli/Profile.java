package io.junction.bench.cli;

import java.time.Duration;

/**
 * Run-length presets; explicit --rounds/--warmup/--duration override them. Immutable.
 */
public enum Profile {
    /** Smoke run: a single mode in about 20 s, {@code all} within two minutes. */
    QUICK(2, Duration.ofSeconds(1), Duration.ofMillis(300), Duration.ofMillis(1500), Duration.ofMillis(300)),
    /** Default: enough for a first comparison. */
    STANDARD(3, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(500)),
    /** For numbers that go into a README: more rounds, longer windows. */
    FULL(5, Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(1));

    private final int rounds;
    private final Duration prime;
    private final Duration warmup;
    private final Duration duration;
    private final Duration drain;

    Profile(int rounds, Duration prime, Duration warmup, Duration duration, Duration drain) {
        this.rounds = rounds;
        this.prime = prime;
        this.warmup = warmup;
        this.duration = duration;
        this.drain = drain;
    }

    public int rounds() {
        return rounds;
    }

    /** Unrecorded load per target before round 1, so JIT compilation (generator and JVM proxies) is done. */
    public Duration prime() {
        return prime;
    }

    public Duration warmup() {
        return warmup;
    }

    public Duration duration() {
        return duration;
    }

    public Duration drain() {
        return drain;
    }
}
