package io.junction.bench.footprint;

/**
 * One run: N idle connections to one target, with the memory sampled before they were opened and while they were
 * held idle. Immutable.
 *
 * @param target      "direct" or "junction"
 * @param connections connections held open during the after-sample
 * @param openMillis  time to open all connections and see every first message at the backend
 * @param before      sample before the first connection
 * @param after       sample while all connections were idle
 */
public record RunMeasurement(String target, int connections, long openMillis, MemorySample before,
                             MemorySample after) {

    public RunMeasurement {
        if (connections <= 0) {
            throw new IllegalArgumentException("connections: " + connections + " (expected: > 0)");
        }
    }

    public long heapDelta() {
        return after.heapUsed() - before.heapUsed();
    }

    public long directDelta() {
        return after.direct() - before.direct();
    }

    /** Change of Netty's no-cleaner direct memory, or 0 when Netty does not track it. */
    public long nettyDirectDelta() {
        return Math.max(after.nettyDirect(), 0) - Math.max(before.nettyDirect(), 0);
    }

    public long jdkDirectDelta() {
        return after.jdkDirect() - before.jdkDirect();
    }

    /** Change of the default allocator's direct memory, or 0 when it exposes no metric. */
    public long allocatorDirectDelta() {
        return Math.max(after.allocatorDirect(), 0) - Math.max(before.allocatorDirect(), 0);
    }

    public double heapPerConnection() {
        return (double) heapDelta() / connections;
    }

    public double directPerConnection() {
        return (double) directDelta() / connections;
    }

    public double totalPerConnection() {
        return heapPerConnection() + directPerConnection();
    }
}
