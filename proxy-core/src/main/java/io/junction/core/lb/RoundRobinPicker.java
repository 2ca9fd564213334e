package io.junction.core.lb;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Round robin over an immutable backend array with a shared cursor that starts at a random offset (as gRPC's
 * {@code ReadyPicker} does, so many proxies do not all hit the first backend after a change).
 *
 * <p>Only a new connection's first pick advances the cursor. A retry walks on from a random index to an untried
 * backend without touching it: if retries advanced the shared cursor, a dead endpoint that every new connection tries
 * first would hand each retry's increment to the next new connection, sending it to the dead endpoint again (with one
 * of two endpoints black-holed, nearly every new connection waited for the connect timeout). A backend that is
 * {@linkplain Backend#passesSlowStart() ramping up} hands a share of its turns to the next index; one that refuses
 * {@linkplain Backend#admits() admission} (full, or its test permits taken) hands the connection to the next index
 * that admits it; null when none does.
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
            return n == 0 ? null : Candidates.only(list[0]);
        }
        if (context != null && context.attempts() > 0) {
            return Candidates.firstAdmitted(list, ThreadLocalRandom.current().nextInt(n), context, null);
        }
        int turn = (cursor.getAndIncrement() & Integer.MAX_VALUE) % n;
        int idx = Candidates.slowStartStep(list, turn);
        Backend chosen = list[idx];
        return chosen.admits() ? chosen : Candidates.firstAdmitted(list, idx + 1, context, chosen);
    }
}
