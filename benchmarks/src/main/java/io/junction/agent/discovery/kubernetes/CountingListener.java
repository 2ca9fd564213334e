package io.junction.agent.discovery.kubernetes;

import io.junction.core.discovery.DiscoveryListener;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.ServiceKey;

import java.util.Map;
import java.util.Objects;

/**
 * Counts what the index delivers, and passes each call on to {@code next} (the controller's inbox, or
 * {@link #NOWHERE} to measure the index and the translation alone). Keeps the last change, for the check that one
 * slice update is one change of one service port.
 *
 * <p>Not thread-safe: the index calls it under its lock, from the thread that drove the index, which is also the
 * one that reads it.
 */
final class CountingListener implements DiscoveryListener {
    /** Takes every call and does nothing: the index-only measurement. */
    static final DiscoveryListener NOWHERE = new DiscoveryListener() {
        @Override
        public void onReplace(String source, Map<ServiceKey, ServiceDefinition> services) {
        }

        @Override
        public void onChange(String source, ServiceKey key, ServiceDefinition definition) {
        }

        @Override
        public void onError(String source, String message, Throwable cause) {
        }
    };

    private final DiscoveryListener next;
    private long replaces;
    private long changes;
    private long errors;
    private ServiceKey lastKey;
    private ServiceDefinition lastDefinition;

    CountingListener(DiscoveryListener next) {
        this.next = Objects.requireNonNull(next, "next");
    }

    @Override
    public void onReplace(String source, Map<ServiceKey, ServiceDefinition> services) {
        replaces++;
        next.onReplace(source, services);
    }

    @Override
    public void onChange(String source, ServiceKey key, ServiceDefinition definition) {
        changes++;
        lastKey = key;
        lastDefinition = definition;
        next.onChange(source, key, definition);
    }

    @Override
    public void onError(String source, String message, Throwable cause) {
        errors++;
        next.onError(source, message, cause);
    }

    long replaces() {
        return replaces;
    }

    long changes() {
        return changes;
    }

    long errors() {
        return errors;
    }

    ServiceKey lastKey() {
        return lastKey;
    }

    ServiceDefinition lastDefinition() {
        return lastDefinition;
    }
}
