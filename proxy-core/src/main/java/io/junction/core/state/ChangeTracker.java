package io.junction.core.state;

import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.Endpoint;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServicePolicy;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Records what every discovery source currently says, and which services changed since the control thread last
 * looked, in the manner of kube-proxy's change trackers: source callbacks only record under a short lock; the control
 * thread later drains the changed keys in one batch and reads the merged view of exactly those services.
 *
 * <p>Merging: sources have a precedence, the order in which they were {@linkplain #register registered}. A service
 * exists while any source defines it. Its virtual addresses come from the first source that has any; its hints are
 * stacked field by field, higher-precedence sources on top; its endpoints are the union over all sources, and when
 * two sources list the same address the first source's attributes win. A full replace from a source that changes
 * nothing records nothing, so identical reloads cost no rebuild.
 *
 * <p>Besides discovery changes, a service can be {@linkplain #markDirty marked} for the next drain without any
 * source changing it: a health verdict or the node's policy for it changed, so its snapshot must be rebuilt.
 *
 * <p>Thread-safe.
 */
public final class ChangeTracker {
    private final Object lock = new Object();
    private final List<String> sources = new ArrayList<>();
    private final Map<String, Map<ServiceKey, ServiceDefinition>> bySource = new HashMap<>();
    private final Set<String> synced = new HashSet<>();
    private Set<ServiceKey> pending = new LinkedHashSet<>();
    /** When a source's change to each pending service first arrived (nanoTime): discovery's propagation clock. */
    private Map<ServiceKey, Long> arrivals = new HashMap<>();

    /** Adds a source at the lowest precedence so far. */
    public void register(String source) {
        synchronized (lock) {
            if (bySource.containsKey(source)) {
                throw new IllegalArgumentException("source: " + source + " (expected: a unique name)");
            }
            sources.add(source);
            bySource.put(source, new HashMap<>());
        }
    }

    /** Records a full replace; returns how many services it changed. */
    public int recordReplace(String source, Map<ServiceKey, ServiceDefinition> services) {
        Objects.requireNonNull(services, "services");
        services.forEach(ChangeTracker::checkKey);
        synchronized (lock) {
            Map<ServiceKey, ServiceDefinition> previous = sourceState(source);
            int changed = 0;
            for (Map.Entry<ServiceKey, ServiceDefinition> e : services.entrySet()) {
                if (!Objects.equals(previous.get(e.getKey()), e.getValue())) {
                    arrived(e.getKey());
                    changed++;
                }
            }
            for (ServiceKey key : previous.keySet()) {
                if (!services.containsKey(key)) {
                    arrived(key);
                    changed++;
                }
            }
            bySource.put(source, new HashMap<>(services));
            synced.add(source);
            return changed;
        }
    }

    /** Records one service of one source; a null definition removes it from that source. */
    public boolean recordChange(String source, ServiceKey key, ServiceDefinition definition) {
        Objects.requireNonNull(key, "key");
        if (definition != null) {
            checkKey(key, definition);
        }
        synchronized (lock) {
            Map<ServiceKey, ServiceDefinition> state = sourceState(source);
            ServiceDefinition previous = definition == null ? state.remove(key) : state.put(key, definition);
            if (Objects.equals(previous, definition)) {
                return false;
            }
            arrived(key);
            return true;
        }
    }

    /** Under the lock: a source changed {@code key}. */
    private void arrived(ServiceKey key) {
        pending.add(key);
        arrivals.putIfAbsent(key, System.nanoTime());
    }

    /** Marks services for the next drain although no source changed them (health or policy changed). */
    public void markDirty(Collection<ServiceKey> keys) {
        synchronized (lock) {
            pending.addAll(keys);
        }
    }

    /** Marks every service some source defines for the next drain (the node-wide policy changed). */
    public void markAllDirty() {
        synchronized (lock) {
            for (Map<ServiceKey, ServiceDefinition> state : bySource.values()) {
                pending.addAll(state.keySet());
            }
        }
    }

    /** Whether every registered source has delivered its first full state. */
    public boolean allSynced() {
        synchronized (lock) {
            return synced.containsAll(sources);
        }
    }

    /** Control thread: takes the merged definitions of every service changed since the last drain. */
    public Map<ServiceKey, ServiceDefinition> drain() {
        return drain(new HashMap<>());
    }

    /**
     * As {@link #drain()}, also filling {@code arrivalsOut} with when a source's change to each drained service first
     * arrived (nanoTime); services only {@linkplain #markDirty marked} have none.
     */
    public Map<ServiceKey, ServiceDefinition> drain(Map<ServiceKey, Long> arrivalsOut) {
        synchronized (lock) {
            if (pending.isEmpty()) {
                return Map.of();
            }
            Set<ServiceKey> keys = pending;
            pending = new LinkedHashSet<>();
            arrivalsOut.putAll(arrivals);
            arrivals = new HashMap<>();
            Map<ServiceKey, ServiceDefinition> out = new LinkedHashMap<>();
            for (ServiceKey key : keys) {
                out.put(key, merged(key));
            }
            return out;
        }
    }

    public boolean hasPending() {
        synchronized (lock) {
            return !pending.isEmpty();
        }
    }

    /** Every service port that two sources define with no protocol in common, sorted by service. */
    public List<ProtocolConflict> protocolConflicts() {
        synchronized (lock) {
            Set<ServiceKey> all = new HashSet<>();
            bySource.values().forEach(state -> all.addAll(state.keySet()));
            return conflictsAmong(all);
        }
    }

    /** As {@link #protocolConflicts()}, only for the service ports of {@code keys} (whatever their protocol). */
    public List<ProtocolConflict> protocolConflicts(Collection<ServiceKey> keys) {
        synchronized (lock) {
            return conflictsAmong(keys);
        }
    }

    /** Under the lock. */
    private List<ProtocolConflict> conflictsAmong(Collection<ServiceKey> keys) {
        Map<String, ProtocolConflict> out = new TreeMap<>();
        for (ServiceKey key : keys) {
            String port = portOf(key);
            if (out.containsKey(port)) {
                continue;
            }
            Map<String, Set<Protocol>> bySourceProtocols = new HashMap<>();
            for (String source : sources) {
                Set<Protocol> protocols = EnumSet.noneOf(Protocol.class);
                for (Protocol p : Protocol.values()) {
                    if (bySource.get(source).containsKey(
                            new ServiceKey(key.namespace(), key.name(), key.portName(), p))) {
                        protocols.add(p);
                    }
                }
                if (!protocols.isEmpty()) {
                    bySourceProtocols.put(source, protocols);
                }
            }
            if (anyDisjoint(bySourceProtocols.values())) {
                out.put(port, new ProtocolConflict(port, bySourceProtocols));
            }
        }
        return List.copyOf(out.values());
    }

    /** {@code namespace/name[:port]}: a service port whatever its protocol. */
    static String portOf(ServiceKey key) {
        return key.namespace() + '/' + key.name() + (key.portName().isEmpty() ? "" : ":" + key.portName());
    }

    private static boolean anyDisjoint(Collection<Set<Protocol>> sets) {
        List<Set<Protocol>> list = new ArrayList<>(sets);
        for (int i = 0; i < list.size(); i++) {
            for (int j = i + 1; j < list.size(); j++) {
                if (Collections.disjoint(list.get(i), list.get(j))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The merged view of one service across sources; null when no source defines it. */
    private ServiceDefinition merged(ServiceKey key) {
        ServiceDefinition first = null;
        List<InetSocketAddress> virtualAddresses = List.of();
        // Collected top (highest precedence) first, stacked bottom-up below.
        List<ServicePolicy> hints = new ArrayList<>();
        Map<InetSocketAddress, Endpoint> endpoints = new LinkedHashMap<>();
        for (String source : sources) {
            ServiceDefinition def = bySource.get(source).get(key);
            if (def == null) {
                continue;
            }
            if (first == null) {
                first = def;
            }
            if (virtualAddresses.isEmpty()) {
                virtualAddresses = def.virtualAddresses();
            }
            hints.add(def.hints());
            for (Endpoint e : def.endpoints()) {
                endpoints.putIfAbsent(e.address(), e);
            }
        }
        if (first == null) {
            return null;
        }
        ServicePolicy stacked = ServicePolicy.EMPTY;
        for (int i = hints.size() - 1; i >= 0; i--) {
            stacked = hints.get(i).over(stacked);
        }
        return new ServiceDefinition(key, virtualAddresses, stacked, new ArrayList<>(endpoints.values()));
    }

    private static void checkKey(ServiceKey key, ServiceDefinition definition) {
        if (!definition.key().equals(key)) {
            throw new IllegalArgumentException("definition: " + definition.key() + " (expected: " + key + ")");
        }
    }

    private Map<ServiceKey, ServiceDefinition> sourceState(String source) {
        Map<ServiceKey, ServiceDefinition> state = bySource.get(source);
        if (state == null) {
            throw new IllegalArgumentException("source: " + source + " (expected: a registered source)");
        }
        return state;
    }
}
