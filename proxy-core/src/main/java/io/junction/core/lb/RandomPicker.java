package io.junction.core.lb;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Uniform random choice over an immutable backend array using {@link ThreadLocalRandom}, so event loops share no
 * state at all. On a retry it walks on from the random index to the first backend the connection has not tried.
 *
 * <p>Thread-safe, lock-free, allocation-free.
 */
final class RandomPicker implements Picker {
    private final Backend[] backends;

    RandomPicker(List<Backend> backends) {
        this.backends = backends.toArray(new Backend[0]);
    }

    @Override
    public Backend pick(PickContext context) {
        Backend[] list = backends;
        int n = list.length;
        if (n <= 1) {
            return n == 0 ? null : list[0];
        }
        int start = ThreadLocalRandom.current().nextInt(n);
        if (context == null || context.attempts() == 0) {
            return list[start];
        }
        return Pickers.firstUntried(list, start, context);
    }
}
