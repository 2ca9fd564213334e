package io.junction.agent.config;

import io.junction.core.model.ServiceKey;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The service keys the agent's config file names (its {@code services[]} entries, with or without endpoints), as of
 * the last good load. A source that only contributes endpoints to services defined elsewhere (the registry: an
 * instance of {@code web} joins the config's {@code web}) asks it which keys a service name stands for, and hears
 * when a reload changed them.
 *
 * <p>Thread-safe: one volatile immutable set, replaced whole; listeners are called on the thread that updates.
 */
public final class ConfiguredServices {
    private volatile Set<ServiceKey> keys = Set.of();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    /** Holds the keys of {@code config}: its services and its per-service policies. */
    public static ConfiguredServices of(AgentConfig config) {
        ConfiguredServices s = new ConfiguredServices();
        s.update(config);
        return s;
    }

    /** Replaces the keys with those of a newly loaded config; listeners hear of it only when they changed. */
    public void update(AgentConfig config) {
        Set<ServiceKey> next = new LinkedHashSet<>(config.services().keySet());
        next.addAll(config.policy().services().keySet());
        update(next);
    }

    /** Replaces the keys; listeners hear of it only when they changed. */
    public void update(Set<ServiceKey> next) {
        Set<ServiceKey> copy = Set.copyOf(next);
        if (copy.equals(keys)) {
            return;
        }
        keys = copy;
        for (Runnable r : listeners) {
            r.run();
        }
    }

    /** The configured keys in {@code namespace} named {@code name}, any port name and protocol. */
    public List<ServiceKey> keysNamed(String namespace, String name) {
        List<ServiceKey> out = new ArrayList<>();
        for (ServiceKey k : keys) {
            if (k.namespace().equals(namespace) && k.name().equals(name)) {
                out.add(k);
            }
        }
        return out;
    }

    /** Runs {@code listener} after every change of the keys. */
    public void onChange(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Only for a map of keys given by hand (tests). */
    public static ConfiguredServices of(Map<ServiceKey, ?> services) {
        ConfiguredServices s = new ConfiguredServices();
        s.update(services.keySet());
        return s;
    }
}
