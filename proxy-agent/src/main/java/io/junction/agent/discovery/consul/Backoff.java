package io.junction.agent.discovery.consul;

import java.time.Duration;
import java.util.Random;

/**
 * How long a watch waits after its {@code n}th failure in a row: doubling from {@link #BASE} up to {@link #CAP}, each
 * delay drawn from the upper half of its ceiling ("equal jitter"), so that watches that failed together do not retry
 * together, and none retries sooner than half its step. Confined to the thread that owns the random source.
 *
 * <p>The cap is what a registry that comes back waits for at most before it is read again, so it is kept under the
 * 5 s within which a change made while the registry was away must reach the data path (reliability scenario 20; a
 * 30 s cap took 12.8 s after a 2-minute outage). A retry every 2 to 4 s per watch costs a registry that is down or
 * failing less than a watch may ask of it when it works: one request per 100 ms while its state changes.
 */
final class Backoff {
    static final Duration BASE = Duration.ofMillis(250);
    static final Duration CAP = Duration.ofSeconds(4);

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
