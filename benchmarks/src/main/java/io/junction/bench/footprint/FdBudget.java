package io.junction.bench.footprint;

/**
 * How many idle connections the process's file-descriptor limit allows. A direct connection holds 2 descriptors in
 * this JVM (client and backend socket), a proxied one 4 (client, proxy's client side, proxy's backend side,
 * backend); runs are sequential and closed in between, so the widest run sets the need. Immutable.
 *
 * @param maxFds   the process's descriptor limit, or -1 when unknown (not a Unix JVM)
 * @param openFds  descriptors open now, or -1 when unknown
 */
public record FdBudget(long maxFds, long openFds) {
    /** Descriptors kept free for the JVM, jars, epoll instances, listening sockets and event-loop wake-ups. */
    static final int RESERVE = 256;

    /** The limits of this JVM. */
    public static FdBudget current() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return new FdBudget(unix.getMaxFileDescriptorCount(), unix.getOpenFileDescriptorCount());
        }
        return new FdBudget(-1, -1);
    }

    public static int fdsPerConnection(boolean proxied) {
        return proxied ? 4 : 2;
    }

    /** The most connections the limit allows with {@code fdsPerConnection} each, or Integer.MAX_VALUE if unknown. */
    public int maxConnections(int fdsPerConnection) {
        if (fdsPerConnection <= 0) {
            throw new IllegalArgumentException("fdsPerConnection: " + fdsPerConnection + " (expected: > 0)");
        }
        if (maxFds < 0 || openFds < 0) {
            return Integer.MAX_VALUE;
        }
        long free = maxFds - openFds - RESERVE;
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, free / fdsPerConnection));
    }

    /** Descriptors needed for {@code connections} at {@code fdsPerConnection} each, plus the reserve. */
    public static long needed(int connections, int fdsPerConnection) {
        return (long) connections * fdsPerConnection + RESERVE;
    }
}
