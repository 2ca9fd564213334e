package io.junction.core.state;

import io.junction.core.discovery.DiscoverySource;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.lb.Pickers;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The control plane, put together: sources deliver to the {@link SourceInbox}; the {@link SyncRunner} coalesces their
 * changes into syncs on the {@link ControlThread}; each sync lets the {@link SnapshotPublisher} rebuild the changed
 * services, the {@link ListenerBinder} bind what needs binding and the {@link Drainer} drain what left. Listeners are
 * bound only once every source has delivered its first state, so no connection arrives before there is something to
 * route it to.
 *
 * <p>Reads ({@link #snapshot()}, {@link #readiness()}, {@link #boundAddresses()} ...) are volatile reads of immutable
 * values and never wait for the control thread. Lifecycle steps ({@link #stopAccepting()},
 * {@link #closeAllConnections()}) wait for it, and run inline when called from it.
 *
 * <p>Thread-safe.
 */
public final class ProxyController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyController.class);
    private static final long AFFINITY_SWEEP_SECONDS = 30;
    private static final long LISTENER_RETRY_SECONDS = 5;

    private final ChangeTracker tracker = new ChangeTracker();
    /** Service ports in protocol conflict, as last logged. Control thread. */
    private final Set<String> conflicted = new HashSet<>();
    private final ControlThread control = new ControlThread("junction-control");
    private final SyncRunner runner;
    private final SourceInbox inbox;
    private final SnapshotPublisher publisher;
    private final ListenerBinder listeners;
    private final Drainer drainer;
    private final ConnectionDrain connections;
    private final List<DiscoverySource> sources = new CopyOnWriteArrayList<>();
    private final List<Consumer<ProxySnapshot>> snapshotListeners = new CopyOnWriteArrayList<>();

    // Control-thread state.
    private long version;

    private volatile boolean started;
    private volatile boolean listening;
    private volatile boolean stopping;

    /**
     * @param factories         listener factory per protocol
     * @param connections       closes live connections (drain timeouts, the end of a shutdown)
     * @param registry          where per-service meters are registered
     * @param minSyncIntervalMs coalescing interval: at most one sync per this many milliseconds
     */
    public ProxyController(Map<Protocol, ListenerFactory> factories, ConnectionDrain connections,
                           MeterRegistry registry, long minSyncIntervalMs) {
        this.connections = connections;
        this.listeners = new ListenerBinder(factories);
        this.publisher = new SnapshotPublisher(registry);
        this.drainer = new Drainer(connections, control);
        this.runner = new SyncRunner(SyncRunner.Scheduler.of(control.executor()), this::sync, minSyncIntervalMs, System::nanoTime,
                t -> log.error("sync=failed", t));
        this.inbox = new SourceInbox(tracker, runner::request, Clock.systemUTC());
    }

    /** Adds a source, at lower precedence than those added before. Call before {@link #start()}. */
    public void addSource(DiscoverySource source) {
        checkNotStarted("addSource");
        inbox.register(source.name());
        sources.add(source);
    }

    /** How listen addresses are derived (default: the config's). Call before {@link #start()}. */
    public void listenResolver(ListenResolver resolver) {
        checkNotStarted("listenResolver");
        publisher.listenResolver(resolver);
    }

    /** Where health verdicts come from (default: every endpoint healthy). Call before {@link #start()}. */
    public void health(HealthVerdicts verdicts) {
        checkNotStarted("health");
        publisher.health(verdicts);
    }

    /** Called on the control thread after each published snapshot. */
    public void addSnapshotListener(Consumer<ProxySnapshot> listener) {
        snapshotListeners.add(listener);
    }

    /** Starts every source. A source with no services still counts as synced once it delivered its state. */
    public void start() {
        if (sources.isEmpty()) {
            throw new IllegalStateException("no discovery source added");
        }
        started = true;
        for (DiscoverySource s : sources) {
            s.start(inbox);
        }
        runner.request();
        control.scheduleWithFixedDelay(this::expireAffinity, AFFINITY_SWEEP_SECONDS, TimeUnit.SECONDS);
        control.scheduleWithFixedDelay(this::retryFailedListeners, LISTENER_RETRY_SECONDS, TimeUnit.SECONDS);
    }

    /** The node's policy changed (a config reload): services whose policy differs are rebuilt. Any thread. */
    public void updatePolicy(NodePolicy policy) {
        control.execute(() -> {
            Set<ServiceKey> changed = publisher.policy(policy);
            if (changed == null) {
                tracker.markAllDirty();
            } else {
                tracker.markDirty(changed);
            }
            runner.request();
        });
    }

    /** Health verdicts of these services changed: they are rebuilt at the next sync. Any thread. */
    public void healthChanged(Collection<ServiceKey> services) {
        tracker.markDirty(services);
        runner.request();
    }

    /** Control thread. */
    private void sync() {
        if (stopping) {
            return;
        }
        Map<ServiceKey, Long> arrivals = new HashMap<>();
        Map<ServiceKey, ServiceDefinition> changes = tracker.drain(arrivals);
        // Not before start(): a policy update may trigger a sync while sources are still being added.
        boolean startListening = started && !listening && inbox.allSynced();
        if (changes.isEmpty() && !startListening) {
            return;
        }
        long started = System.nanoTime();
        SnapshotPublisher.Outcome outcome = publisher.apply(changes, ++version);
        publisher.recordPropagation(arrivals, System.nanoTime());
        for (SnapshotPublisher.Retired r : outcome.removed()) {
            listeners.close(r.handle().key());
            drainer.drain(r.handle(), r.backends());
        }
        for (SnapshotPublisher.Retired r : outcome.drained()) {
            drainer.drain(r.handle(), r.backends());
        }
        ProxySnapshot next = publisher.snapshot();
        if (startListening) {
            next.handles().values().forEach(listeners::ensure);
            // Set after the binds: whoever waits for listening() may connect at once.
            listening = true;
        } else if (listening) {
            outcome.changed().forEach(listeners::ensure);
        }
        reportConflicts(changes.keySet());
        if (log.isInfoEnabled()) {
            log.info("snapshot version={} changed={} services={} took_us={}", next.version(), changes.size(),
                    next.services().size(), TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - started));
        }
        for (Consumer<ProxySnapshot> l : snapshotListeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                log.warn("snapshot listener failed", e);
            }
        }
    }

    /**
     * Control thread: logs a protocol conflict among {@code changed} services once when it appears and once when it
     * is gone; {@link #protocolConflicts()} lists the current ones.
     */
    private void reportConflicts(Set<ServiceKey> changed) {
        Set<String> now = new HashSet<>();
        for (ProtocolConflict c : tracker.protocolConflicts(changed)) {
            now.add(c.service());
            if (conflicted.add(c.service())) {
                log.warn("service={} conflict=protocol sources={} (each protocol is kept as its own service)",
                        c.service(), c.sorted());
            }
        }
        for (ServiceKey key : changed) {
            String port = ChangeTracker.portOf(key);
            if (!now.contains(port) && conflicted.remove(port)) {
                log.info("service={} conflict=resolved", port);
            }
        }
    }

    /** Service ports that two sources define with no protocol in common. Any thread. */
    public List<ProtocolConflict> protocolConflicts() {
        return tracker.protocolConflicts();
    }

    /** Control thread: a listen address that was busy (or not yet local) may be free now. */
    private void retryFailedListeners() {
        if (listening && !stopping) {
            listeners.retryFailed(publisher.snapshot());
        }
    }

    /** Control thread: drops client-ip affinity entries idle for longer than their service's timeout. */
    private void expireAffinity() {
        int expired = 0;
        for (ServiceHandle h : publisher.snapshot().handles().values()) {
            expired += Pickers.expireStale(h.current().picker());
        }
        if (expired > 0) {
            log.debug("affinity expired={}", expired);
        }
    }

    /** The latest published state. Any thread, never waits. */
    public ProxySnapshot snapshot() {
        return publisher.snapshot();
    }

    /** The handle of a served service, or null. Any thread, never waits. */
    public ServiceHandle handle(ServiceKey key) {
        return publisher.snapshot().handles().get(key);
    }

    /** Every served service's handle (no particular order). Any thread, never waits. */
    public Collection<ServiceHandle> handles() {
        return publisher.snapshot().handles().values();
    }

    /** The address each served service's listener is bound to. Any thread, never waits. */
    public Map<ServiceKey, InetSocketAddress> boundAddresses() {
        return listeners.boundAddresses();
    }

    /** Services whose listen address could not be bound, with the reason. Any thread, never waits. */
    public Map<ServiceKey, String> listenerErrors() {
        return listeners.errors();
    }

    public Map<String, SourceStatus> sourceStatus() {
        return inbox.statuses();
    }

    /**
     * Ready when every source has synced, every listener is bound and the proxy is not shutting down; otherwise the
     * reason. The one answer behind {@code /readyz}, {@code /api/status} and the status page.
     */
    public Readiness readiness() {
        if (stopping) {
            return Readiness.notReady("shutting down");
        }
        if (!listening) {
            List<String> waiting = inbox.unsynced();
            return Readiness.notReady(waiting.isEmpty() ? "starting" : "waiting for sources " + waiting);
        }
        Map<ServiceKey, String> errors = listeners.errors();
        if (!errors.isEmpty()) {
            Map<String, String> sorted = new TreeMap<>();
            errors.forEach((k, v) -> sorted.put(k.toString(), v));
            StringJoiner reasons = new StringJoiner("; ", "listeners not bound: ", "");
            sorted.forEach((k, v) -> reasons.add(k + ": " + v));
            return Readiness.notReady(reasons.toString());
        }
        return Readiness.READY;
    }

    /** Every source synced and listeners bound once (bind errors aside: see {@link #readiness()}). */
    public boolean listening() {
        return listening;
    }

    /** Live client connections (TCP) over all services. */
    public int activeConnections() {
        int n = 0;
        for (ServiceHandle h : handles()) {
            n += h.metrics().connectionsActive();
        }
        return n;
    }

    /** Shutdown step 1: readiness turns false, sources stop, every listener closes; live connections keep running. */
    public void stopAccepting() {
        stopping = true;
        for (DiscoverySource s : sources) {
            try {
                s.close();
            } catch (RuntimeException e) {
                log.warn("source={} close failed", s.name(), e);
            }
        }
        await(control.submit(() -> {
            listeners.closeAll();
            return null;
        }));
    }

    /** Shutdown step 2: closes every connection still open (after the drain deadline); returns how many. */
    public int closeAllConnections() {
        return await(connections.closeAll());
    }

    @Override
    public void close() {
        if (!stopping) {
            stopAccepting();
        }
        control.close();
    }

    private void checkNotStarted(String what) {
        if (started) {
            throw new IllegalStateException(what + ": the controller is started (expected: call before start())");
        }
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new CompletionException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        } catch (TimeoutException e) {
            throw new CompletionException("control step did not finish within 30 s", e);
        }
    }
}
