package io.junction.core.state;

import io.junction.core.discovery.DiscoveryListener;
import io.junction.core.discovery.DiscoverySource;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.forward.ListenerFactory;
import io.junction.core.forward.ListenerSet;
import io.junction.core.lb.Backend;
import io.junction.core.lb.Pickers;
import io.junction.core.metrics.FailureReason;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import org.pcollections.PMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The control plane: receives discovery updates from any thread, and on its single control thread merges them,
 * rebuilds only the services that changed, publishes their snapshots, binds/unbinds listeners and schedules the drain
 * of removed backends. Listeners are bound only once every source has delivered its first state, so no connection
 * arrives before there is something to route it to.
 *
 * <p>Thread-safe: {@link DiscoveryListener} methods and getters may be called from any thread; all state changes
 * happen on the control thread.
 */
public final class ProxyController implements DiscoveryListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyController.class);

    private final ChangeTracker tracker = new ChangeTracker();
    private final ListenerSet listeners;
    private final MeterRegistry registry;
    private final Consumer<Channel> drainCloser;
    private final ScheduledExecutorService control;
    private final SyncRunner runner;
    private final Clock clock;
    private final List<DiscoverySource> sources = new CopyOnWriteArrayList<>();
    private final Map<String, SourceStatus> sourceStatus = new ConcurrentHashMap<>();
    private final List<Consumer<ProxySnapshot>> snapshotListeners = new CopyOnWriteArrayList<>();

    // Control-thread state.
    private final Map<ServiceKey, ServiceRuntime> services = new LinkedHashMap<>();
    private final Map<ServiceKey, List<Meter>> meters = new LinkedHashMap<>();
    /** Removed backends that may still carry connections; pruned once they have none. */
    private final List<Backend> draining = new ArrayList<>();
    private boolean listening;
    private boolean stopped;
    private long version;

    private volatile ProxySnapshot snapshot = ProxySnapshot.EMPTY;
    private volatile boolean ready;

    /**
     * @param factories        listener factory per protocol
     * @param registry         where per-service meters are registered
     * @param drainCloser      closes one proxied client connection (both legs) when its backend's drain times out
     * @param minSyncIntervalMs coalescing interval: at most one sync per this many milliseconds
     */
    public ProxyController(Map<Protocol, ListenerFactory> factories, MeterRegistry registry,
                           Consumer<Channel> drainCloser, long minSyncIntervalMs) {
        this.listeners = new ListenerSet(factories);
        this.registry = registry;
        this.drainCloser = drainCloser;
        this.clock = Clock.systemUTC();
        this.control = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "junction-control");
            t.setDaemon(true);
            return t;
        });
        this.runner = new SyncRunner(control, this::sync, minSyncIntervalMs, System::nanoTime,
                t -> log.error("sync=failed", t));
    }

    /** Adds a source, at lower precedence than those added before. Call before {@link #start()}. */
    public void addSource(DiscoverySource source) {
        tracker.register(source.name());
        sourceStatus.put(source.name(), new SourceStatus(source.name(), false, 0, 0, null, null, null));
        sources.add(source);
    }

    /** Starts every source. A source with no services still counts as synced once it delivered its state. */
    public void start() {
        if (sources.isEmpty()) {
            throw new IllegalStateException("no discovery source added");
        }
        for (DiscoverySource s : sources) {
            s.start(this);
        }
        runner.request();
        control.scheduleWithFixedDelay(this::expireAffinity, 30, 30, TimeUnit.SECONDS);
        control.scheduleWithFixedDelay(this::retryFailedListeners, 5, 5, TimeUnit.SECONDS);
    }

    /** Control thread: a listen address that was busy (or not yet local) may be free now. */
    private void retryFailedListeners() {
        if (!listening || stopped) {
            return;
        }
        for (ServiceKey key : listeners.errors().keySet()) {
            ServiceRuntime runtime = services.get(key);
            if (runtime != null) {
                listeners.ensure(runtime.handle());
            }
        }
    }

    /** Control thread: drops client-ip affinity entries idle for longer than their service's timeout. */
    private void expireAffinity() {
        int expired = 0;
        for (ServiceRuntime r : services.values()) {
            expired += Pickers.expireStale(r.current().picker());
        }
        if (expired > 0) {
            log.debug("affinity expired={}", expired);
        }
    }

    @Override
    public void onReplace(String source, Map<ServiceKey, ServiceDefinition> services) {
        int changed = tracker.recordReplace(source, services);
        sourceStatus.computeIfPresent(source, (k, s) -> s.onUpdate(clock.instant()));
        log.debug("source={} update=replace services={} changed={}", source, services.size(), changed);
        runner.request();
    }

    @Override
    public void onChange(String source, ServiceKey key, ServiceDefinition definition) {
        if (tracker.recordChange(source, key, definition)) {
            runner.request();
        }
        sourceStatus.computeIfPresent(source, (k, s) -> s.onUpdate(clock.instant()));
    }

    @Override
    public void onError(String source, String message, Throwable cause) {
        sourceStatus.computeIfPresent(source, (k, s) -> s.onError(message, clock.instant()));
        log.warn("source={} error=\"{}\" state=kept", source, message);
    }

    /** Control thread. */
    private void sync() {
        if (stopped) {
            return;
        }
        Map<ServiceKey, ServiceDefinition> changes = tracker.drain();
        boolean startListening = !listening && tracker.allSynced();
        if (changes.isEmpty() && !startListening) {
            return;
        }
        long started = System.nanoTime();
        long v = ++version;
        List<ServiceKey> touched = new ArrayList<>();
        for (Map.Entry<ServiceKey, ServiceDefinition> change : changes.entrySet()) {
            apply(change.getKey(), change.getValue(), v);
            touched.add(change.getKey());
        }
        if (startListening) {
            listening = true;
            touched = new ArrayList<>(services.keySet());
        }
        if (listening) {
            for (ServiceKey key : touched) {
                ServiceRuntime runtime = services.get(key);
                if (runtime != null) {
                    listeners.ensure(runtime.handle());
                }
            }
        }
        // Only the changed services are touched: O(changed * log n), however many services there are.
        PMap<ServiceKey, ServiceSnapshot> all = snapshot.services();
        for (ServiceKey key : changes.keySet()) {
            ServiceRuntime runtime = services.get(key);
            all = runtime == null ? all.minus(key) : all.plus(key, runtime.current());
        }
        ProxySnapshot next = new ProxySnapshot(v, all);
        snapshot = next;
        ready = listening;
        if (log.isInfoEnabled()) {
            log.info("snapshot version={} changed={} services={} took_us={}", v, changes.size(), all.size(),
                    TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - started));
        }
        for (Consumer<ProxySnapshot> l : snapshotListeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                log.warn("snapshot listener failed", e);
            }
        }
    }

    private void apply(ServiceKey key, ServiceDefinition definition, long v) {
        ServiceRuntime runtime = services.get(key);
        if (definition == null) {
            if (runtime != null) {
                services.remove(key);
                listeners.close(key);
                Duration drain = runtime.current().spec().tcp().drainTimeout();
                scheduleDrain(runtime.removeAll(), drain, runtime.handle());
                List<Meter> m = meters.remove(key);
                if (m != null) {
                    m.forEach(registry::remove);
                }
                log.info("service={} state=removed", key);
            }
            return;
        }
        if (runtime == null) {
            runtime = ServiceRuntime.create(definition, v);
            services.put(key, runtime);
            meters.put(key, runtime.handle().metrics().bindTo(registry));
            log.info("service={} state=added listen={} endpoints={}", key,
                    definition.spec().listen(), definition.endpoints().size());
            return;
        }
        List<Backend> removed = runtime.apply(definition, v);
        if (!removed.isEmpty()) {
            scheduleDrain(removed, definition.spec().tcp().drainTimeout(), runtime.handle());
        }
    }

    /**
     * Removed backends get no new connections from now on (they are out of the picker); their live connections may
     * run for {@code drainTimeout} and are then closed. A zero timeout lets them end by themselves.
     */
    private void scheduleDrain(List<Backend> removed, Duration drainTimeout, ServiceHandle handle) {
        for (Backend b : removed) {
            log.info("service={} backend={} state=draining connections={} drain_timeout={}", handle.key(), b,
                    b.activeConnections(), drainTimeout.isZero() ? "none" : drainTimeout);
        }
        draining.removeIf(b -> b.activeConnections() == 0);
        draining.addAll(removed);
        if (drainTimeout.isZero()) {
            return;
        }
        control.schedule(() -> {
            for (Backend b : removed) {
                for (Channel ch : b.connections()) {
                    handle.metrics().onFailure(FailureReason.DRAIN_TIMEOUT);
                    drainCloser.accept(ch);
                }
            }
        }, drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The latest published state. */
    public ProxySnapshot snapshot() {
        return snapshot;
    }

    /** Every source synced and listeners bound. */
    public boolean ready() {
        return ready;
    }

    public Map<String, SourceStatus> sourceStatus() {
        return Map.copyOf(sourceStatus);
    }

    /** Called on the control thread after each published snapshot. */
    public void addSnapshotListener(Consumer<ProxySnapshot> listener) {
        snapshotListeners.add(listener);
    }

    /** The handle of a service, or null. Any thread (runs on the control thread). */
    public ServiceHandle handle(ServiceKey key) {
        return call(() -> {
            ServiceRuntime r = services.get(key);
            return r == null ? null : r.handle();
        });
    }

    /** Every service's handle, in config order. */
    public List<ServiceHandle> handles() {
        return call(() -> {
            List<ServiceHandle> out = new ArrayList<>();
            services.values().forEach(r -> out.add(r.handle()));
            return out;
        });
    }

    /** The address a service's listener is bound to, or null. */
    public InetSocketAddress boundAddress(ServiceKey key) {
        return call(() -> listeners.localAddress(key));
    }

    /** The bound address of every service that has a listener, read in one pass on the control thread. */
    public Map<ServiceKey, InetSocketAddress> boundAddresses() {
        return call(() -> {
            Map<ServiceKey, InetSocketAddress> out = new LinkedHashMap<>();
            for (ServiceKey key : services.keySet()) {
                InetSocketAddress a = listeners.localAddress(key);
                if (a != null) {
                    out.put(key, a);
                }
            }
            return out;
        });
    }

    public Map<ServiceKey, String> listenerErrors() {
        return call(listeners::errors);
    }

    /** Live client connections (TCP) over all services. */
    public int activeConnections() {
        int n = 0;
        for (ServiceHandle h : handles()) {
            n += h.metrics().connectionsActive();
        }
        return n;
    }

    /** Shutdown step 1: stop sources and close every listener; accepted connections keep running. */
    public void stopAccepting() {
        for (DiscoverySource s : sources) {
            try {
                s.close();
            } catch (RuntimeException e) {
                log.warn("source={} close failed", s.name(), e);
            }
        }
        call(() -> {
            stopped = true;
            listeners.closeAll();
            ready = false;
            return null;
        });
    }

    /** Shutdown step 2: closes every connection still open (after the drain deadline). */
    public int closeAllConnections() {
        return call(() -> {
            List<Backend> all = new ArrayList<>(draining);
            for (ServiceRuntime r : services.values()) {
                all.addAll(r.backends());
            }
            int closed = 0;
            for (Backend b : all) {
                for (Channel ch : b.connections()) {
                    drainCloser.accept(ch);
                    closed++;
                }
            }
            return closed;
        });
    }

    @Override
    public void close() {
        stopAccepting();
        control.shutdownNow();
    }

    private <T> T call(java.util.concurrent.Callable<T> task) {
        try {
            return control.submit(task).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("control thread busy for 10 s", e);
        }
    }
}
