package io.junction.agent.registry.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The registry's service instances and checks, with Consul's raft-like indexes: one global index that grows by one
 * with every change, each entry's {@code CreateIndex} and {@code ModifyIndex}, and per service name the index of its
 * last change (removals included), which is what a blocking query on that name waits on. The index never goes
 * backwards: a restart restores it from the state file, and it never reads below 1.
 *
 * <p>Every mutation tells the {@link Listener} which service names it touched and the {@link CheckHooks} which
 * checks appeared, vanished or changed status, so timers and probes follow. A mutation that changes nothing (a TTL
 * pass on a check already passing with the same output, an identical re-registration) leaves the index alone, so
 * watchers do not wake for nothing.
 *
 * <p>Confined to the registry's event loop: every call, and every callback, runs on it.
 */
public final class RegistryStore {
    /** Told after every mutation that changed something. */
    @FunctionalInterface
    public interface Listener {
        void onChanged(Set<String> serviceNames);
    }

    /** Told as checks come and go and change status (timers and probes follow them). */
    public interface CheckHooks {
        void onAdded(Check check);

        void onRemoved(Check check);

        void onStatus(Check check);
    }

    /** Past this many remembered removals the oldest answers fall back to the global index (a spurious wake-up). */
    private static final int MAX_REMOVALS = 10_000;

    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private final Map<String, Check> checks = new LinkedHashMap<>();
    private final Map<String, Long> removedAt = new HashMap<>();
    private final Listener listener;
    private final CheckHooks hooks;
    private long index = 1;

    public RegistryStore(Listener listener, CheckHooks hooks) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.hooks = Objects.requireNonNull(hooks, "hooks");
    }

    /** The global index: the index of the last change, at least 1. */
    public long index() {
        return index;
    }

    /** Starts counting from {@code restored} (the state file's index), never going backwards. */
    public void restoreIndex(long restored) {
        index = Math.max(index, Math.max(1, restored));
    }

    public Collection<Instance> instances() {
        return Collections.unmodifiableCollection(instances.values());
    }

    public Collection<Check> checks() {
        return Collections.unmodifiableCollection(checks.values());
    }

    public Instance instance(String id) {
        return instances.get(id);
    }

    public Check check(String id) {
        return checks.get(id);
    }

    public int size() {
        return instances.size();
    }

    /** The checks of service {@code serviceId}, in registration order. */
    public List<Check> checksOf(String serviceId) {
        List<Check> out = new ArrayList<>();
        for (Check c : checks.values()) {
            if (c.spec().serviceId().equals(serviceId)) {
                out.add(c);
            }
        }
        return out;
    }

    /** The instances named {@code name}, in registration order. */
    public List<Instance> instancesNamed(String name) {
        List<Instance> out = new ArrayList<>();
        for (Instance i : instances.values()) {
            if (i.name().equals(name)) {
                out.add(i);
            }
        }
        return out;
    }

    /** The index a blocking query on service {@code name} compares with: its last change, removals included. */
    public long indexOfName(String name) {
        long max = removedAt.getOrDefault(name, 0L);
        for (Instance i : instances.values()) {
            if (i.name().equals(name)) {
                max = Math.max(max, i.modifyIndex());
                for (Check c : checksOf(i.id())) {
                    max = Math.max(max, c.modifyIndex());
                }
            }
        }
        return max == 0 ? index : max;
    }

    /**
     * Registers or updates an instance with its checks. Checks the request names replace those with the same id
     * (keeping their status when their definition is unchanged); the service's other checks stay unless
     * {@code replaceExistingChecks}, as Consul's {@code ?replace-existing-checks} says.
     */
    public void register(Registration r, boolean replaceExistingChecks) {
        long next = index + 1;
        Set<String> touched = new LinkedHashSet<>();
        Instance before = instances.get(r.id());
        boolean changed = false;
        if (before == null || !before.sameAs(r)) {
            long created = before == null ? next : before.createIndex();
            instances.put(r.id(), new Instance(r.id(), r.name(), r.address(), r.port(), r.tags(), r.meta(), created,
                    next));
            if (before != null && !before.name().equals(r.name())) {
                removed(before.name(), next, touched);
            }
            changed = true;
        }
        touched.add(r.name());
        Set<String> requested = new LinkedHashSet<>();
        List<Check> added = new ArrayList<>();
        List<Check> dropped = new ArrayList<>();
        for (CheckSpec spec : r.checks()) {
            requested.add(spec.id());
            Check old = checks.get(spec.id());
            if (old != null && old.spec().equals(spec)) {
                continue;
            }
            if (old != null && old.spec().sameDefinition(spec)) {
                // Same check registered again: it keeps the status it has earned (Consul keeps a TTL check's state).
                checks.put(spec.id(), new Check(spec, old.status(), old.output(), old.createIndex(), old.modifyIndex()));
                continue;
            }
            if (old != null) {
                dropped.add(old);
                if (!old.spec().serviceId().equals(r.id())) {
                    Instance owner = instances.get(old.spec().serviceId());
                    if (owner != null) {
                        touched.add(owner.name());
                    }
                }
            }
            Check fresh = new Check(spec, spec.initialStatus(), spec.initialOutput(),
                    old == null ? next : old.createIndex(), next);
            checks.put(spec.id(), fresh);
            added.add(fresh);
            changed = true;
        }
        if (replaceExistingChecks) {
            for (Check c : checksOf(r.id())) {
                if (!requested.contains(c.id())) {
                    checks.remove(c.id());
                    dropped.add(c);
                    removed(r.name(), next, touched);
                    changed = true;
                }
            }
        }
        if (!changed) {
            return;
        }
        index = next;
        dropped.forEach(hooks::onRemoved);
        added.forEach(hooks::onAdded);
        listener.onChanged(touched);
    }

    /** Removes the instance and its checks; false when there is no such instance. */
    public boolean deregister(String id) {
        Instance gone = instances.remove(id);
        if (gone == null) {
            return false;
        }
        long next = index + 1;
        index = next;
        Set<String> touched = new LinkedHashSet<>();
        removed(gone.name(), next, touched);
        for (Check c : checksOf(id)) {
            checks.remove(c.id());
            hooks.onRemoved(c);
        }
        listener.onChanged(touched);
        return true;
    }

    /** Sets a check's status and output; false when there is no such check. Unchanged values change nothing. */
    public boolean update(String checkId, CheckStatus status, String output) {
        Check c = checks.get(checkId);
        if (c == null) {
            return false;
        }
        String out = output == null ? "" : output;
        if (c.status() == status && c.output().equals(out)) {
            hooks.onStatus(c);
            return true;
        }
        index++;
        Check updated = c.with(status, out, index);
        checks.put(checkId, updated);
        hooks.onStatus(updated);
        Instance owner = instances.get(c.spec().serviceId());
        listener.onChanged(owner == null ? Set.of() : Set.of(owner.name()));
        return true;
    }

    /** The aggregate status of an instance, as Consul's health endpoint sees it: its worst check; passing if none. */
    public CheckStatus statusOf(String serviceId) {
        CheckStatus worst = CheckStatus.PASSING;
        for (Check c : checks.values()) {
            if (c.spec().serviceId().equals(serviceId) && c.status().ordinal() > worst.ordinal()) {
                worst = c.status();
            }
        }
        return worst;
    }

    private void removed(String name, long at, Set<String> touched) {
        touched.add(name);
        if (removedAt.size() >= MAX_REMOVALS && !removedAt.containsKey(name)) {
            removedAt.clear();
        }
        removedAt.put(name, at);
    }
}
