package io.junction.core.forward.tcp;

import io.junction.core.model.ConnectionRateLimit;

import java.net.InetAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One service's per-source connection-rate limit: a token bucket per client address, kept as the generic cell rate
 * algorithm's single number (the "theoretical arrival time" of the next connection), so a check is one map read and
 * one CAS on an {@link AtomicLong}, with no lock and no allocation for a source already known. Resilience4j's
 * {@code AtomicRateLimiter} would do the job for one source, but it allocates a new state object on every
 * {@code acquirePermission} and each instance carries a name, a config and an event processor: too heavy for one per
 * client address on the accept path.
 *
 * <p>The map is bounded by {@link #MAX_SOURCES}. When it is full, sources whose bucket has refilled completely are
 * dropped (forgetting them changes nothing: a new bucket starts full too), at most once per 100 ms; sources that still
 * find no room share one overflow bucket, so a client spraying source addresses neither grows memory nor escapes the
 * limit, at the price of new legitimate sources sharing that bucket while the map stays full.
 *
 * <p>Thread-safe: every worker loop accepting for the service checks here (with {@code SO_REUSEPORT} one source's
 * connections land on several loops, so the bucket must be shared). A new source's insertion takes
 * {@link ConcurrentHashMap}'s short per-bin lock; checks of known sources take none.
 */
final class SourceRateLimiter {
    static final int MAX_SOURCES = 65_536;
    private static final long SWEEP_INTERVAL_NANOS = 100_000_000L;

    private final ConnectionRateLimit limit;
    private final long intervalNanos;
    /** How far ahead of now the next-arrival time may run: the burst. */
    private final long toleranceNanos;
    private final int maxSources;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<InetAddress, AtomicLong> sources = new ConcurrentHashMap<>();
    private final AtomicLong overflow;
    private final AtomicLong nextSweepAt;

    SourceRateLimiter(ConnectionRateLimit limit) {
        this(limit, MAX_SOURCES, System::nanoTime);
    }

    SourceRateLimiter(ConnectionRateLimit limit, int maxSources, LongSupplier nanoTime) {
        this.limit = limit;
        this.intervalNanos = limit.intervalNanos();
        // In double, then capped: a very slow rate times a large burst must not overflow.
        this.toleranceNanos = (long) Math.min(Long.MAX_VALUE / 4, (double) intervalNanos * limit.burst());
        this.maxSources = maxSources;
        this.nanoTime = nanoTime;
        long now = nanoTime.getAsLong();
        this.overflow = new AtomicLong(now);
        this.nextSweepAt = new AtomicLong(now);
    }

    ConnectionRateLimit limit() {
        return limit;
    }

    /** Whether {@code source} may open one more connection now; if so, the connection is counted against it. */
    boolean tryAcquire(InetAddress source) {
        long now = nanoTime.getAsLong();
        AtomicLong bucket = sources.get(source);
        if (bucket == null) {
            bucket = newBucket(source, now);
        }
        for (;;) {
            long next = bucket.get();
            long base = next - now < 0 ? now : next;
            long after = base + intervalNanos;
            if (after - now > toleranceNanos) {
                return false;
            }
            if (bucket.compareAndSet(next, after)) {
                return true;
            }
        }
    }

    /** Source addresses tracked now (the overflow bucket not counted). */
    int trackedSources() {
        return sources.size();
    }

    private AtomicLong newBucket(InetAddress source, long now) {
        if (sources.size() >= maxSources) {
            sweep(now);
            if (sources.size() >= maxSources) {
                return overflow;
            }
        }
        AtomicLong fresh = new AtomicLong(now);
        AtomicLong raced = sources.putIfAbsent(source, fresh);
        return raced != null ? raced : fresh;
    }

    /** Drops sources whose bucket is full again; one loop does it at a time, at most every 100 ms. */
    private void sweep(long now) {
        long due = nextSweepAt.get();
        if (now - due < 0 || !nextSweepAt.compareAndSet(due, now + SWEEP_INTERVAL_NANOS)) {
            return;
        }
        for (Iterator<Map.Entry<InetAddress, AtomicLong>> it = sources.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getValue().get() - now <= 0) {
                it.remove();
            }
        }
    }
}
