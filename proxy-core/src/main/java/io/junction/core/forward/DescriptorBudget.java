package io.junction.core.forward;

import com.sun.management.UnixOperatingSystemMXBean;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The node's file-descriptor budget for proxied TCP connections, derived from the process's {@code RLIMIT_NOFILE} as
 * HAProxy derives {@code maxconn} from {@code ulimit -n}. A reserve of {@code 64 + limit / 8} descriptors, and at
 * least {@link #MIN_RESERVE}, is kept
 * for everything that is not a proxied connection: the admin server and its clients, config reads, health probes,
 * registry clients, log files, the JVM's own jars and the event loops' epoll and event descriptors, and the one
 * descriptor a refused connection holds between its accept and its close. Each proxied connection takes two
 * descriptors (client and backend socket), so at most {@code (limit - reserve) / 2} run at once; one more is accepted
 * and closed at once, so a client beyond the cap sees a close instead of waiting in the backlog.
 *
 * <p>Thread-safe and lock-free: every worker loop takes and returns slots on its own thread.
 */
public final class DescriptorBudget {
    /** Descriptors kept for everything but proxied connections, before the share of the limit. */
    public static final int BASE_RESERVE = 64;
    /** The share of the limit also kept in reserve: 1 / this. */
    public static final int RESERVE_SHARE = 8;
    /**
     * The smallest reserve: an agent with one service held 132 descriptors besides its proxied connections (measured
     * under {@code --nofile=1024}: 964 open with 416 connections), so {@code 64 + 512 / 8 = 128} would be too few at
     * {@code --nofile=512}.
     */
    public static final int MIN_RESERVE = 192;

    private final long limit;
    private final long reserve;
    private final int connectionCap;
    private final AtomicInteger connections = new AtomicInteger();
    private final LongAdder refused = new LongAdder();
    private final LongAdder acceptFailures = new LongAdder();

    private DescriptorBudget(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: >= 1)");
        }
        this.limit = limit;
        this.reserve = Math.min(limit, Math.max(MIN_RESERVE, BASE_RESERVE + limit / RESERVE_SHARE));
        this.connectionCap = (int) Math.min(Integer.MAX_VALUE, Math.max(0, (limit - reserve) / 2));
    }

    /** The budget of a process whose descriptor limit is {@code limit}. */
    public static DescriptorBudget forLimit(long limit) {
        return new DescriptorBudget(limit);
    }

    /**
     * The budget of this process: its soft {@code RLIMIT_NOFILE} as the JVM reports it. Where the JVM cannot tell
     * (not a Unix JVM), the cap is {@link Integer#MAX_VALUE}: the listeners' own limits still apply.
     */
    public static DescriptorBudget ofProcess() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix && unix.getMaxFileDescriptorCount() > 0) {
            return new DescriptorBudget(unix.getMaxFileDescriptorCount());
        }
        return new DescriptorBudget(Long.MAX_VALUE);
    }

    /** The process's descriptor limit the budget was derived from. */
    public long limit() {
        return limit;
    }

    /** Descriptors kept out of the connection budget. */
    public long reserve() {
        return reserve;
    }

    /** Proxied TCP connections the node runs at once at most. */
    public int connectionCap() {
        return connectionCap;
    }

    /** Proxied TCP connections holding a slot now. */
    public int connections() {
        return connections.get();
    }

    /**
     * Takes a slot for a new proxied connection, or counts a refusal and returns false when the cap is reached. A
     * caller that got true calls {@link #release} exactly once when the connection's channel closes.
     */
    public boolean tryAcquire() {
        if (connections.incrementAndGet() > connectionCap) {
            connections.decrementAndGet();
            refused.increment();
            return false;
        }
        return true;
    }

    /** Returns a slot taken by {@link #tryAcquire}. */
    public void release() {
        connections.decrementAndGet();
    }

    /** Connections refused because the cap was reached. */
    public long refusedCount() {
        return refused.sum();
    }

    /** Counts an accept that failed because the process or the system ran out of descriptors. */
    public void onAcceptFailure() {
        acceptFailures.increment();
    }

    /** Accepts that failed with EMFILE or ENFILE. */
    public long acceptFailureCount() {
        return acceptFailures.sum();
    }

    /**
     * Whether {@code configuredConnections} (the sum of the services' {@code maxConnections}) fits the cap; when it
     * does not, the cap refuses connections the listeners' limits would allow.
     */
    public boolean fits(long configuredConnections) {
        return configuredConnections <= connectionCap;
    }

    /** The smallest descriptor limit whose budget runs {@code connections} proxied connections at once. */
    public static long limitFor(long connections) {
        // limit - 64 - limit / 8 >= 2 * connections, solved for limit (a lower bound, also under the minimum
        // reserve), then raised until it fits.
        long limit = (2 * connections + BASE_RESERVE) * RESERVE_SHARE / (RESERVE_SHARE - 1);
        while (forLimit(limit).connectionCap() < connections) {
            limit++;
        }
        return limit;
    }

    @Override
    public String toString() {
        return "DescriptorBudget{limit=" + limit + ", reserve=" + reserve + ", connectionCap=" + connectionCap + '}';
    }
}
