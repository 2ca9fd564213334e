package io.junction.agent.discovery;

import io.junction.core.discovery.DiscoveryListener;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.ServiceKey;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keeps the state a source delivered, and every call, as the control thread would see them; for the source tests of
 * every package. Thread-safe.
 */
public final class RecordingListener implements DiscoveryListener {
    public final Map<ServiceKey, ServiceDefinition> state = new ConcurrentHashMap<>();
    public final List<String> calls = new CopyOnWriteArrayList<>();
    public final List<String> errors = new CopyOnWriteArrayList<>();
    public volatile boolean replaced;

    @Override
    public synchronized void onReplace(String source, Map<ServiceKey, ServiceDefinition> services) {
        state.clear();
        state.putAll(services);
        replaced = true;
        calls.add("replace " + services.keySet());
    }

    @Override
    public synchronized void onChange(String source, ServiceKey key, ServiceDefinition definition) {
        if (definition == null) {
            state.remove(key);
        } else {
            state.put(key, definition);
        }
        calls.add("change " + key + (definition == null ? " removed" : ""));
    }

    @Override
    public void onError(String source, String message, Throwable cause) {
        errors.add(message);
        calls.add("error " + message);
    }

    /** The {@code ip:port (ready)} of every endpoint of {@code key}, or null when the service is not there. */
    public List<String> endpoints(ServiceKey key) {
        ServiceDefinition d = state.get(key);
        return d == null ? null : d.endpoints().stream()
                .map(e -> e.hostPort() + (e.ready() ? "" : " not-ready") + (e.weight() == 1 ? "" : " w" + e.weight()))
                .toList();
    }

    public long changesOf(String serviceName) {
        return calls.stream().filter(c -> c.startsWith("change ") && c.contains("/" + serviceName + ":")).count();
    }
}
