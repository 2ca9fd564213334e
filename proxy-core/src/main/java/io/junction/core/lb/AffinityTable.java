package io.junction.core.lb;

import io.junction.core.clock.CoarseClock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Client-IP affinity entries of one service: client address to pinned backend and last use. The table outlives the
 * {@link ClientIpPicker}s built over it, so a change of the eligible backends does not reset every client's affinity.
 *
 * <p>Memory is bounded two ways. Entries idle for longer than the affinity timeout are removed by a sweep that runs
 * off the hit path: {@link #expire} (meant for the control thread, e.g. through {@link ClientIpPicker#expireStale()})
 * and, so that a table nobody sweeps cannot grow for ever, an amortized sweep on insert at most once per
 * {@code min(timeout, 60 s)}. And the table holds at most {@code maxEntries} entries (a few more under concurrent
 * inserts): when full, an insert first sweeps (at most once per second) and, if still full, the client is served
 * without affinity.
 *
 * <p>Thread-safe: a {@link ConcurrentHashMap}; entries are updated with volatile/release writes, no locks.
 */
public final class AffinityTable {
    /** Default bound on entries per service (an entry costs roughly 150 bytes with its map node and key). */
    public static final int DEFAULT_MAX_ENTRIES = 1_000_000;

    private static final long PERIODIC_SWEEP_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long FULL_SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ConcurrentHashMap<InetAddress, Entry> entries = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final LongSupplier nanoClock;
    private final AtomicInteger generations = new AtomicInteger();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private volatile long lastSweepNanos;

    /** A table of {@value #DEFAULT_MAX_ENTRIES} entries at most, on the {@link CoarseClock} (cheap to read per pick). */
    public AffinityTable() {
        this(DEFAULT_MAX_ENTRIES, CoarseClock::nanoTime);
    }

    /**
     * @param maxEntries bound on entries, at least 1
     * @param nanoClock  monotonic clock in nanoseconds ({@link CoarseClock} outside tests)
     */
    public AffinityTable(int maxEntries, LongSupplier nanoClock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: >= 1)");
        }
        this.maxEntries = maxEntries;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.lastSweepNanos = nanoClock.getAsLong();
    }

    /** Current number of entries (fresh or not yet swept). */
    public int size() {
        return entries.size();
    }

    public int maxEntries() {
        return maxEntries;
    }

    /** Removes every entry idle for {@code timeoutNanos} or longer; returns how many it removed. */
    public int expire(long timeoutNanos) {
        long now = nanoClock.getAsLong();
        lastSweepNanos = now;
        int[] removed = {0};
        // forEach walks the nodes without allocating map entries; remove(key, value) spares an entry that was
        // replaced meanwhile.
        entries.forEach((client, entry) -> {
            if (now - entry.lastAccessNanos >= timeoutNanos && entries.remove(client, entry)) {
                removed[0]++;
            }
        });
        return removed[0];
    }

    long nanoTime() {
        return nanoClock.getAsLong();
    }

    /** A number no earlier picker over this table used, so entries validated by an older picker are re-checked. */
    int nextGeneration() {
        return generations.incrementAndGet();
    }

    Entry get(InetAddress client) {
        return entries.get(client);
    }

    /**
     * Adds an entry for {@code client} unless one exists. Returns the entry now in the table (possibly another
     * thread's), or null when the table is full and the client must go without affinity.
     */
    Entry insert(InetAddress client, Pin pin, long now, long timeoutNanos) {
        boolean full = entries.size() >= maxEntries;
        long interval = full ? FULL_SWEEP_NANOS : Math.min(timeoutNanos, PERIODIC_SWEEP_NANOS);
        if (now - lastSweepNanos >= interval && sweeping.compareAndSet(false, true)) {
            try {
                expire(timeoutNanos);
            } finally {
                sweeping.set(false);
            }
            full = entries.size() >= maxEntries;
        }
        if (full) {
            return null;
        }
        Entry fresh = new Entry(pin, now);
        Entry prior = entries.putIfAbsent(client, fresh);
        return prior == null ? fresh : prior;
    }

    /** The backend an entry is pinned to and the picker generation that last confirmed it is eligible. Immutable. */
    record Pin(Backend backend, int generation) {
    }

    /**
     * One client's affinity: its pin (replaced whole, so backend and generation always match) and its last use.
     * Thread-safe.
     */
    static final class Entry {
        /** Refreshing the last use more often than this only bounces the cache line between event loops. */
        private static final long TOUCH_GRANULARITY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
        private static final VarHandle LAST_ACCESS;

        static {
            try {
                LAST_ACCESS = MethodHandles.lookup().findVarHandle(Entry.class, "lastAccessNanos", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        volatile Pin pin;
        volatile long lastAccessNanos;

        Entry(Pin pin, long now) {
            this.pin = pin;
            this.lastAccessNanos = now;
        }

        /**
         * Hit path: refreshes the last use. A release store is enough (readers only compare ages) and avoids the
         * full fence of a volatile write.
         */
        void touch(long now) {
            if (now - lastAccessNanos >= TOUCH_GRANULARITY_NANOS) {
                LAST_ACCESS.setRelease(this, now);
            }
        }

        void repin(Pin newPin, long now) {
            this.pin = newPin;
            this.lastAccessNanos = now;
        }
    }
}
