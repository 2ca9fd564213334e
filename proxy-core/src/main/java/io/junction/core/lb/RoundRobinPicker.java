package io.junction.core.lb;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Round robin over an immutable backend array with a shared cursor that starts at a random offset (as gRPC's
 * {@code ReadyPicker} does, so many proxies do not all hit the first backend after a change). Skips backends the
 * connection already tried. Thread-safe, lock-free, allocation-free.
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
        if (n == 0) {
            return null;
        }
        int start = cursor.getAndIncrement() & Integer.MAX_VALUE;
        if (context == null || context.attempts() == 0) {
            return list[start % n];
        }
        for (int i = 0; i < n; i++) {
            Backend b = list[(start + i) % n];
            if (!context.wasTried(b)) {
                return b;
            }
        }
        return Pickers.fallback(list, start, context);
    }
}
