package io.junction.bench.footprint;

/**
 * What the proxy adds per idle connection: the proxied run's per-connection delta minus the direct run's (client and
 * backend sockets are in both and cancel out). Per-connection figures are subtracted, rather than totals, so the two
 * runs may hold different counts. Immutable.
 *
 * @param heapPerConnection   heap bytes per connection
 * @param directPerConnection direct-memory bytes per connection
 * @param targetBytes         the budget for heap + direct per connection
 */
public record ProxyCost(double heapPerConnection, double directPerConnection, long targetBytes) {
    /** The budget: 8 KiB of heap plus direct memory per idle proxied connection. */
    public static final long TARGET_BYTES = 8 * 1024;

    public ProxyCost {
        if (targetBytes <= 0) {
            throw new IllegalArgumentException("targetBytes: " + targetBytes + " (expected: > 0)");
        }
    }

    /** The proxy's cost from a direct (baseline) run and a proxied run. */
    public static ProxyCost between(RunMeasurement direct, RunMeasurement proxied, long targetBytes) {
        return new ProxyCost(proxied.heapPerConnection() - direct.heapPerConnection(),
                proxied.directPerConnection() - direct.directPerConnection(), targetBytes);
    }

    public double totalPerConnection() {
        return heapPerConnection + directPerConnection;
    }

    public boolean withinTarget() {
        return totalPerConnection() <= targetBytes;
    }
}
