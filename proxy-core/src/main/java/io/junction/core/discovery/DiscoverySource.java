package io.junction.core.discovery;

/**
 * A feed of services and endpoints: a YAML file, Kubernetes, the local registration API. Several sources run at once;
 * the control thread merges them per service in precedence order.
 *
 * <p>Implementations decide their own threading; they must deliver every change to the listener and never throw
 * from their callbacks.
 */
public interface DiscoverySource extends AutoCloseable {

    /** A unique, stable name, used for precedence, logs and metrics. */
    String name();

    /** Starts watching; the first {@link DiscoveryListener#onReplace} marks the source synced. */
    void start(DiscoveryListener listener);

    /** Stops watching and releases threads and files. Idempotent. */
    @Override
    void close();
}
