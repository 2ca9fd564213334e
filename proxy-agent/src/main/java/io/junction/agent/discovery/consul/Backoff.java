package io.junction.agent.discovery.consul;

import java.time.Duration;
import java.util.Random;

/**
 * How long a watch waits after its {@code n}th failure in a row: doubling from {@link #BASE} up to {@link #CAP}, each
 * delay drawn from the upper half of its ceiling ("equal jitter"), so that watches that failed together do not retry
 * together, and none retries sooner than half its step. Confined to the thread that owns the random source.
 */
final class Backoff {
    static final Duration BASE = Duration.ofMillis(250);
    static final Duration CAP = Duration.ofSeconds(30);

    private final Random random;

    Backoff(Random random) {
        this.random = random;
    }

    /** The delay after {@code failures} failures in a row (1 or more). */
    Duration delay(int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures: " + failures + " (expected: >= 1)");
        }
        long ceiling = BASE.toMillis() << Math.min(failures - 1, 20);
        ceiling = Math.min(ceiling, CAP.toMillis());
        long half = ceiling / 2;
        return Duration.ofMillis(half + (long) (random.nextDouble() * (ceiling - half + 1)));
    }
}
