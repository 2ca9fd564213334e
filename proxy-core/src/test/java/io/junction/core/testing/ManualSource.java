package io.junction.core.testing;

import io.junction.core.discovery.DiscoveryListener;
import io.junction.core.discovery.DiscoverySource;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.ServiceKey;

import java.util.Map;

/** A discovery source a test (or benchmark) drives by hand: what it says is what the test tells it to say. */
public final class ManualSource implements DiscoverySource {
    private final String name;
    private volatile DiscoveryListener listener;

    public ManualSource(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void start(DiscoveryListener l) {
        this.listener = l;
    }

    @Override
    public void close() {
    }

    /** The listener the controller gave this source when it started; null before. */
    public DiscoveryListener listener() {
        return listener;
    }

    /** This source's complete state is {@code services}. */
    public void replace(Map<ServiceKey, ServiceDefinition> services) {
        listener.onReplace(name, services);
    }

    /** One service of this source changed; null removes it. */
    public void change(ServiceKey key, ServiceDefinition definition) {
        listener.onChange(name, key, definition);
    }
}
