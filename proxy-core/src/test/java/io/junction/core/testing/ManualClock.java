package io.junction.core.testing;

import io.junction.core.clock.NanoClock;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link NanoClock} that moves only when the test moves it. Idle timers still wake on the event loop's real
 * scheduler, but they judge idleness by this clock: a test decides how much time "passed" between two packets, so
 * traffic paced by a slow machine can never look idle, and an idle connection expires at the next wake-up after the
 * test moves the clock past the timeout.
 *
 * <p>Thread-safe.
 */
public final class ManualClock implements NanoClock {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    public void advance(Duration by) {
        nanos.addAndGet(by.toNanos());
    }
}
