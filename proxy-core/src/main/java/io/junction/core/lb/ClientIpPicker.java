package io.junction.core.lb;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Client-IP session affinity with Kubernetes {@code sessionAffinity: ClientIP} semantics: connections from the same
 * client address go to the same backend for as long as the client keeps using it within the affinity timeout (every
 * hit refreshes the entry); new clients, expired entries and pins that can no longer be honoured are placed by round
 * robin and pinned again.
 *
 * <p>A pin is re-placed when its backend is no longer eligible in this picker or when this connection already tried
 * it (its connect failed). Entries live in an {@link AffinityTable} handed from picker to picker on rebuild; each
 * picker has a generation number, and an entry validated by an older picker is checked once against this picker's
 * eligible addresses (a backend that stayed eligible keeps its clients, even as a new {@link Backend} object for the
 * same address), so a rebuild costs nothing up front and entries are re-pinned lazily on their next use.
 *
 * <p>Health. A pinned backend that refuses {@linkplain Backend#admits() admission} (full, or its test permits taken)
 * serves this connection from another backend, found by a scan from a random index, and the client keeps its pin for
 * when its backend has room again. New clients are placed by round robin, so {@linkplain Backend#beginSlowStart slow
 * start} steers new placements; a pinned client stays with a ramping backend, because affinity matters more to its
 * client than a smoother ramp does. When no backend admits a connection the pick is null and nothing is pinned.
 *
 * <p>Hit path (fresh entry confirmed by this picker, backend not tried, admitted): one map lookup, one clock read,
 * the admission check and at most one release store, no allocation. Concurrent first connections of one client may
 * race; the first entry inserted wins and the others follow it. Concurrent re-pins of one entry may briefly disagree;
 * the last write wins.
 *
 * <p>Thread-safe, lock-free.
 */
public final class ClientIpPicker implements Picker {
    private final Backend[] backends;
    private final Map<InetSocketAddress, Backend> byAddress;
    private final RoundRobinPicker roundRobin;
    private final AffinityTable table;
    private final long timeoutNanos;
    private final int generation;

    /**
     * @param backends the eligible backends (may be empty: the table is then kept for the next picker)
     * @param timeout  idle time after which a client's entry expires, > 0
     * @param table    the affinity table, usually the previous picker's {@link #table()}
     */
    public ClientIpPicker(List<Backend> backends, Duration timeout, AffinityTable table) {
        Objects.requireNonNull(backends, "backends");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        this.backends = backends.toArray(new Backend[0]);
        this.byAddress = new HashMap<>();
        for (Backend b : this.backends) {
            byAddress.put(b.address(), b);
        }
        this.roundRobin = new RoundRobinPicker(backends);
        this.table = Objects.requireNonNull(table, "table");
        this.timeoutNanos = timeout.toNanos();
        this.generation = table.nextGeneration();
    }

    /** The affinity table, to hand to the next picker of this service. */
    public AffinityTable table() {
        return table;
    }

    /** Control thread: removes entries idle for longer than the timeout; returns how many. */
    public int expireStale() {
        return table.expire(timeoutNanos);
    }

    @Override
    public Backend pick(PickContext context) {
        if (backends.length == 0) {
            return null;
        }
        InetAddress client = context == null ? null : context.clientAddress();
        if (client == null) {
            return roundRobin.pick(context);
        }
        long now = table.nanoTime();
        AffinityTable.Entry entry = table.get(client);
        if (entry != null) {
            return fromEntry(entry, context, now);
        }
        Backend chosen = roundRobin.pick(context);
        if (chosen == null) {
            return null;
        }
        AffinityTable.Pin pin = new AffinityTable.Pin(chosen, generation);
        AffinityTable.Entry inserted = table.insert(client, pin, now, timeoutNanos);
        if (inserted == null || inserted.pin == pin) {
            return chosen;
        }
        // Another connection of this client inserted first: follow its pin, giving back the admission not used.
        chosen.outcomes().releaseAdmission();
        return fromEntry(inserted, context, now);
    }

    private Backend fromEntry(AffinityTable.Entry entry, PickContext context, long now) {
        if (now - entry.lastAccessNanos >= timeoutNanos) {
            return repin(entry, context, now);
        }
        AffinityTable.Pin pin = entry.pin;
        Backend pinned = pin.backend();
        if (pin.generation() != generation) {
            // Validated by another picker: keep the pin if its address is still eligible here.
            Backend current = byAddress.get(pinned.address());
            if (current == null || (context.attempts() > 0 && context.wasTried(current))) {
                return repin(entry, context, now);
            }
            entry.repin(new AffinityTable.Pin(current, generation), now);
            return current.admits() ? current : overflow(current, context);
        }
        if (context.attempts() > 0 && context.wasTried(pinned)) {
            return repin(entry, context, now);
        }
        // The client is active even when its backend is full: keep its entry fresh either way.
        entry.touch(now);
        return pinned.admits() ? pinned : overflow(pinned, context);
    }

    /** The client's backend refused the connection: serve it elsewhere and keep the pin. */
    private Backend overflow(Backend refused, PickContext context) {
        return Candidates.firstAdmitted(backends, ThreadLocalRandom.current().nextInt(backends.length), context,
                refused);
    }

    private Backend repin(AffinityTable.Entry entry, PickContext context, long now) {
        Backend chosen = roundRobin.pick(context);
        if (chosen != null) {
            entry.repin(new AffinityTable.Pin(chosen, generation), now);
        }
        return chosen;
    }
}
