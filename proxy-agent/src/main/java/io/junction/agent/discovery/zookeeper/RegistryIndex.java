package io.junction.agent.discovery.zookeeper;

import io.junction.agent.config.ServiceNames;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.Endpoint;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the registry holds, by registry service and instance id, and what was last delivered from it: turns instance
 * changes into the endpoint-only definitions of exactly the Junction services they touch. A registry service
 * {@code web} (after {@code rename}) becomes {@code ServiceKey.of("web", protocol)}, one key per protocol its
 * instances use; a key whose last instance went is removed. Instances are ordered by id, and two instances at one
 * address are one endpoint (ready if either is).
 *
 * <p>Confined to the source's thread.
 */
final class RegistryIndex {
    private static final Logger log = LoggerFactory.getLogger(RegistryIndex.class);

    private final ZooKeeperSettings settings;
    private final Map<String, Map<String, RegistryInstance>> byService = new TreeMap<>();
    /** Junction names whose definitions may differ from what was delivered. */
    private final Set<String> dirty = new HashSet<>();
    private final Map<ServiceKey, ServiceDefinition> delivered = new HashMap<>();
    private final Set<String> warnedNames = new HashSet<>();
    private int instances;

    RegistryIndex(ZooKeeperSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Whether instances of registry service {@code service} are read: it is watched, and its Junction name (after
     * {@code rename}) is one a config entry can name. A name that cannot be is logged once.
     */
    boolean accepts(String service) {
        if (!settings.watches(service)) {
            return false;
        }
        String name = settings.junctionName(service);
        if (ServiceNames.valid(name)) {
            return true;
        }
        if (warnedNames.add(service)) {
            log.warn("zookeeper=service_skipped service=\"{}\" reason=\"not a valid Junction service name; map it "
                    + "to one with discovery.zookeeper.rename\"", service);
        }
        return false;
    }

    /** Adds or replaces one instance. */
    void put(RegistryInstance instance) {
        RegistryInstance previous = byService.computeIfAbsent(instance.service(), s -> new TreeMap<>())
                .put(instance.id(), instance);
        if (previous == null) {
            instances++;
        }
        if (!instance.equals(previous)) {
            dirty.add(settings.junctionName(instance.service()));
        }
    }

    /** Removes one instance, if it was known. */
    void remove(String service, String id) {
        Map<String, RegistryInstance> ids = byService.get(service);
        if (ids == null || ids.remove(id) == null) {
            return;
        }
        instances--;
        if (ids.isEmpty()) {
            byService.remove(service);
        }
        dirty.add(settings.junctionName(service));
    }

    /** Instances currently read (malformed and skipped ones not counted). */
    int instances() {
        return instances;
    }

    /** Services currently delivered. */
    int services() {
        return delivered.size();
    }

    /** Everything, for a full replace; afterwards nothing is pending. */
    Map<ServiceKey, ServiceDefinition> full() {
        dirty.clear();
        delivered.clear();
        Set<String> names = new HashSet<>();
        byService.keySet().forEach(s -> names.add(settings.junctionName(s)));
        for (String name : names) {
            delivered.putAll(definitions(name));
        }
        return Map.copyOf(delivered);
    }

    /** What was last delivered. */
    Map<ServiceKey, ServiceDefinition> delivered() {
        return Map.copyOf(delivered);
    }

    /**
     * The services that changed since the last call (or {@link #full()}), each with its new definition or null
     * when it is gone; they count as delivered from now on.
     */
    Map<ServiceKey, ServiceDefinition> changes() {
        Map<ServiceKey, ServiceDefinition> out = new LinkedHashMap<>();
        for (String name : dirty) {
            Map<ServiceKey, ServiceDefinition> now = definitions(name);
            for (Protocol p : Protocol.values()) {
                ServiceKey key = ServiceKey.of(name, p);
                ServiceDefinition next = now.get(key);
                if (!Objects.equals(delivered.get(key), next)) {
                    out.put(key, next);
                    if (next == null) {
                        delivered.remove(key);
                    } else {
                        delivered.put(key, next);
                    }
                }
            }
        }
        dirty.clear();
        return out;
    }

    /** The definitions of Junction service {@code name}: one per protocol that has instances. */
    private Map<ServiceKey, ServiceDefinition> definitions(String name) {
        Map<Protocol, Map<InetSocketAddress, Endpoint>> byProtocol = new EnumMap<>(Protocol.class);
        for (var e : byService.entrySet()) {
            if (!settings.junctionName(e.getKey()).equals(name)) {
                continue;
            }
            for (RegistryInstance i : e.getValue().values()) {
                Endpoint endpoint = new Endpoint(i.address(), 1, "", "", i.enabled(), i.enabled(), false);
                byProtocol.computeIfAbsent(i.protocol(), p -> new LinkedHashMap<>())
                        .merge(i.address(), endpoint, (a, b) -> a.ready() ? a : b);
            }
        }
        Map<ServiceKey, ServiceDefinition> out = new HashMap<>();
        byProtocol.forEach((p, endpoints) -> {
            ServiceKey key = ServiceKey.of(name, p);
            out.put(key, ServiceDefinition.of(key, new ArrayList<>(endpoints.values())));
        });
        return out;
    }
}
