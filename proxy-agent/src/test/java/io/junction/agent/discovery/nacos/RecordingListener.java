package io.junction.agent.discovery.nacos;

import io.junction.core.discovery.DiscoveryListener;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.ServiceKey;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Keeps every call a source makes, and the state they add up to. Thread-safe. */
final class RecordingListener implements DiscoveryListener {
    /** One call: {@code kind} is replace, change or error. */
    record Call(String kind, ServiceKey key, String message) {
    }

    private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    private final Map<ServiceKey, ServiceDefinition> state = Collections.synchronizedMap(new HashMap<>());

    @Override
    public void onReplace(String source, Map<ServiceKey, ServiceDefinition> services) {
        synchronized (state) {
            state.clear();
            state.putAll(services);
        }
        calls.add(new Call("replace", null, null));
    }

    @Override
    public void onChange(String source, ServiceKey key, ServiceDefinition definition) {
        if (definition == null) {
            state.remove(key);
        } else {
            state.put(key, definition);
        }
        calls.add(new Call("change", key, null));
    }

    @Override
    public void onError(String source, String message, Throwable cause) {
        calls.add(new Call("error", null, message));
    }

    List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    long count(String kind) {
        return calls().stream().filter(c -> c.kind().equals(kind)).count();
    }

    ServiceDefinition get(ServiceKey key) {
        return state.get(key);
    }

    Map<ServiceKey, ServiceDefinition> state() {
        synchronized (state) {
            return Map.copyOf(state);
        }
    }
}
