package io.junction.core.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Datagrams the kernel dropped on the listening sockets of one UDP service, over every listener the service has had.
 * The counts live in the kernel, per socket, and vanish when a socket closes; a service outlives its listeners (a
 * change of UDP settings rebinds them), so the count of a listener that closes is kept here and the counter never goes
 * back. Each source must itself never go back (a socket's drop count does not).
 *
 * <p>Thread-safe: listeners attach and detach on the control thread; Micrometer reads {@link #total()} when scraped.
 * Reading a source may read {@code /proc}, which is why nothing on the data path calls this class.
 */
public final class KernelDrops {
    private final List<LongSupplier> live = new ArrayList<>(2);
    private long retired;

    /** Starts counting {@code source}, the drops of a listener that was just bound. */
    public synchronized void attach(LongSupplier source) {
        live.add(Objects.requireNonNull(source, "source"));
    }

    /** Keeps {@code source}'s last count and stops reading it; call just before its sockets close. Idempotent. */
    public synchronized void detach(LongSupplier source) {
        if (live.remove(source)) {
            retired += source.getAsLong();
        }
    }

    /** Drops of closed listeners plus the current count of the open ones. */
    public synchronized long total() {
        long sum = retired;
        for (LongSupplier source : live) {
            sum += source.getAsLong();
        }
        return sum;
    }
}
