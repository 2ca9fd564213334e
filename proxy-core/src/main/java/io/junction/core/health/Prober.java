package io.junction.core.health;

import io.junction.core.model.HealthCheck;
import io.netty.channel.EventLoopGroup;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The active health checker: probes each distinct (check, probed address) once, however many services share it, on
 * the given event loops, and reports when a target's verdict flips.
 *
 * <p><b>Sharing.</b> {@link #acquire} returns the one {@link ProbeTarget} of a (check, address) pair and counts the
 * reference; {@link #release} drops it, and the last release stops the probing (the next probe is cancelled, one in
 * flight is aborted and its connection closed). A target released and acquired again starts afresh.
 *
 * <p><b>Initial state.</b> A new target starts <em>healthy</em> unless asked otherwise, and its first probe runs
 * within its first interval: adding checking to endpoints that are serving should not take them out of rotation,
 * and a broken one is out after {@code unhealthyThreshold} failures (HAProxy's choice). An endpoint that is new to the
 * proxy can be acquired {@link Initially#UNHEALTHY} instead, so it takes no traffic until its first probe passes
 * (Envoy's choice for hosts added after start-up); see {@link ProbeTarget} for the threshold rules.
 *
 * <p><b>Threads.</b> Each target is probed on one loop of the group, chosen round-robin by the group; its probes,
 * result updates and {@link Listener} calls all run there. The group is the caller's: closing the prober does not
 * shut it down. Thread-safe: acquire, release and close take a short lock (control-plane calls, not the data path).
 */
public final class Prober implements AutoCloseable {

    /** Told when a target's verdict flips. */
    @FunctionalInterface
    public interface Listener {
        /**
         * Called on the target's event loop: must not block (hand the change over to the control thread).
         *
         * @param healthy the new verdict
         * @param last    the probe that decided it
         */
        void onTransition(ProbeTarget target, boolean healthy, ProbeResult last);

        /** Called on the target's event loop after every probe, before any transition it causes (for metrics). */
        default void onResult(ProbeTarget target, ProbeResult result) {
        }
    }

    /** The verdict a new target starts with. */
    public enum Initially {
        /** Serve the endpoint until {@code unhealthyThreshold} probes in a row fail. */
        HEALTHY,
        /** Keep the endpoint out until its first probe passes. */
        UNHEALTHY
    }

    private record Key(HealthCheck check, InetSocketAddress address) {
    }

    /** A target's schedule and how many holders share it. */
    private static final class Held {
        final ProbeSchedule schedule;
        int references = 1;

        Held(ProbeSchedule schedule) {
            this.schedule = schedule;
        }
    }

    private final EventLoopGroup loops;
    private final Listener listener;
    private final Object lock = new Object();
    private final Map<Key, Held> targets = new HashMap<>(); // guarded by lock
    private boolean closed; // guarded by lock

    public Prober(EventLoopGroup loops, Listener listener) {
        this.loops = Objects.requireNonNull(loops, "loops");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** As {@link #acquire(HealthCheck, InetSocketAddress, Initially)}, a new target starting healthy. */
    public ProbeTarget acquire(HealthCheck check, InetSocketAddress endpoint) {
        return acquire(check, endpoint, Initially.HEALTHY);
    }

    /**
     * The target that probes {@code endpoint}'s IP on {@code check.portFor(endpoint port)} with {@code check},
     * started if it is not probed yet, else shared (and {@code initially} ignored: its verdict stands).
     *
     * @throws IllegalArgumentException for a check of type none or an unresolved endpoint address
     * @throws IllegalStateException    once the prober is closed
     */
    public ProbeTarget acquire(HealthCheck check, InetSocketAddress endpoint, Initially initially) {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(initially, "initially");
        if (!check.enabled()) {
            throw new IllegalArgumentException("check type: none (expected: tcp or http)");
        }
        if (endpoint.isUnresolved()) {
            throw new IllegalArgumentException("endpoint: " + endpoint + " (expected: an IP address)");
        }
        Key key = new Key(check, new InetSocketAddress(endpoint.getAddress(), check.portFor(endpoint.getPort())));
        ProbeSchedule started;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("prober closed");
            }
            Held held = targets.get(key);
            if (held != null) {
                held.references++;
                return held.schedule.target();
            }
            ProbeTarget target = new ProbeTarget(check, key.address(), initially == Initially.HEALTHY);
            started = new ProbeSchedule(target, loops.next(), listener);
            targets.put(key, new Held(started));
        }
        started.start();
        return started.target();
    }

    /**
     * Drops one reference to {@code target}; the last one stops its probing. Does nothing once the prober is closed.
     *
     * @throws IllegalArgumentException for a target this prober does not hold (released too often, or foreign)
     */
    public void release(ProbeTarget target) {
        Key key = new Key(target.check(), target.address());
        ProbeSchedule stopped;
        synchronized (lock) {
            if (closed) {
                return;
            }
            Held held = targets.get(key);
            if (held == null || held.schedule.target() != target) {
                throw new IllegalArgumentException("target: " + target + " (expected: one acquired and not released)");
            }
            if (--held.references > 0) {
                return;
            }
            targets.remove(key);
            stopped = held.schedule;
        }
        stopped.stop();
    }

    /** Targets being probed now. */
    public int size() {
        synchronized (lock) {
            return targets.size();
        }
    }

    /** Stops every target's probing. Idempotent; leaves the event loops running. */
    @Override
    public void close() {
        List<Held> stopping;
        synchronized (lock) {
            closed = true;
            stopping = new ArrayList<>(targets.values());
            targets.clear();
        }
        for (Held held : stopping) {
            held.schedule.stop();
        }
    }
}
