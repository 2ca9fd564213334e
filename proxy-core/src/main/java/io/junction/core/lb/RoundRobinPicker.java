package io.junction.core.lb;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Round robin over an immutable backend array with a shared cursor that starts at a random offset (as gRPC's
 * {@code ReadyPicker} does, so many proxies do not all hit the first backend after a change). Skips backends the
 * connection already tried.
 *
 * <p>A single backend is returned without touching the cursor: there is nothing to rotate, and skipping the atomic
 * increment keeps event loops from contending on it. The cursor is an {@code int} masked to stay non-negative; when it
 * wraps after 2^31 picks the rotation restarts at index 0, which shifts the spread by at most one pick.
 *
 * <p>Thread-safe, lock-free, allocation-free.
 */
final class RoundRobinPicker implements Picker {
    private final Backend[] backends;
    private final AtomicInteger cursor;

    RoundRobinPicker(List<Backend> backends) {
        this.backends = backends.toArray(new Backend[0]);
        this.cursor = new AtomicInteger(ThreadLocalRandom.current().nextInt(Math.max(1, this.backends.length)));
    }

    @Override
    public Backend pick(PickContext context) {
        Backend[] list = backends;
        int n = list.length;
        if (n <= 1) {
            // A lone backend is returned even when tried, so the connection can retry it.
            return n == 0 ? null : list[0];
        }
        int start = (cursor.getAndIncrement() & Integer.MAX_VALUE) % n;
        if (context == null || context.attempts() == 0) {
            return list[start];
        }
        return Pickers.firstUntried(list, start, context);
    }
}
