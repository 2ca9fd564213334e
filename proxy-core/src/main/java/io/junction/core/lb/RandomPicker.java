package io.junction.core.lb;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Uniform random choice over an immutable backend array using {@link ThreadLocalRandom}, so event loops share no
 * state at all. From the random index it walks on to the first backend that passes its
 * {@linkplain Backend#passesSlowStart() slow-start draw}, and from there, when that one refuses
 * {@linkplain Backend#admits() admission}, to the first that admits the connection (null when none does). A retry
 * walks on from a random index to the first untried backend that admits it.
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
            return n == 0 ? null : Candidates.only(list[0]);
        }
        int start = ThreadLocalRandom.current().nextInt(n);
        if (context != null && context.attempts() > 0) {
            return Candidates.firstAdmitted(list, start, context, null);
        }
        int idx = Candidates.slowStartStep(list, start);
        Backend chosen = list[idx];
        return chosen.admits() ? chosen : Candidates.firstAdmitted(list, idx + 1, context, chosen);
    }
}
