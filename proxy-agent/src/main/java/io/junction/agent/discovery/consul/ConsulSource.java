package io.junction.agent.discovery.consul;

import io.junction.agent.discovery.SourceMeters;
import io.junction.core.discovery.DiscoveryListener;
import io.junction.core.discovery.DiscoverySource;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.Endpoint;
import io.junction.core.model.ServiceKey;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Services and their instances from a registry that speaks Consul's HTTP API: with {@code services} unset, a blocking
 * query on {@code /v1/catalog/services} tells which services exist and one on {@code /v1/health/service/{name}} per
 * service tells its instances; with {@code services} set, only those are watched. Each registry service's instances
 * are delivered under {@link ConsulSettings#keyOf}, several registry services renamed to one Junction service
 * together.
 *
 * <p>The first full state (the catalog and every service read once) is handed over with {@code onReplace}, which
 * marks the source synced; then each changed service goes with {@code onChange}. A registry that cannot be reached at
 * start leaves the source unsynced; one lost later keeps the last state serving: one line is logged when it is lost
 * and one when it is back, and each failed read is reported to the listener.
 *
 * <p>Meters ({@link SourceMeters}, {@code source=consul}): the instances read, each failed read as an error, and the
 * last sync, which reads "now" while the state is handed over and no watch is failing (a blocking query that is
 * held open keeps the view current) and freezes when one starts failing.
 *
 * <p>Thread-safe: every watch, and all the state below, is confined to the source's one thread; no thread waits for
 * a blocking query (the JDK's HTTP client is asynchronous).
 */
public final class ConsulSource implements DiscoverySource {
    public static final String NAME = "consul";

    private static final Logger log = LoggerFactory.getLogger(ConsulSource.class);

    private final ConsulSettings settings;
    private final ConsulClient client;
    private final SourceMeters meters;
    private final ScheduledExecutorService loop;
    private final Backoff backoff = new Backoff(new Random());
    private final Object lifecycle = new Object();
    private boolean started;
    private boolean closed;

    // Loop-confined.
    private DiscoveryListener listener;
    private BlockingQuery catalog;
    private boolean catalogRead;
    private final Map<String, BlockingQuery> watches = new TreeMap<>();
    /** Registry service name to its instances, once read. */
    private final Map<String, List<Endpoint>> instances = new HashMap<>();
    /** Registry service name to the instances it last left out, so each change of them is logged once. */
    private final Map<String, List<String>> skipped = new HashMap<>();
    private final Set<BlockingQuery> failing = new LinkedHashSet<>();
    private long failingSince;
    private boolean handedOver;

    public ConsulSource(ConsulSettings settings, MeterRegistry metrics, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.client = new ConsulClient(settings, metrics);
        this.meters = new SourceMeters(metrics, clock, NAME);
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "junction-consul");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start(DiscoveryListener l) {
        Objects.requireNonNull(l, "listener");
        synchronized (lifecycle) {
            if (started || closed) {
                throw new IllegalStateException("already started or closed");
            }
            started = true;
        }
        log.info("source=consul starting address={} services={} datacenter={} tag={} only_passing={} wait={} "
                        + "token={}", settings.address(), settings.watchesCatalog() ? "*" : settings.services(),
                settings.datacenter() == null ? "-" : settings.datacenter(),
                settings.tag() == null ? "-" : settings.tag(), settings.onlyPassing(),
                ConsulClient.formatWait(settings.waitTime()), settings.token() == null ? "none" : "set");
        loop.execute(() -> begin(l));
    }

    private void begin(DiscoveryListener l) {
        listener = l;
        if (settings.watchesCatalog()) {
            catalog = new BlockingQuery("catalog", client::catalogServices, this::onCatalog, client, loop, backoff,
                    new Outcomes());
            catalog.start();
        } else {
            for (String name : settings.services()) {
                watch(name);
            }
        }
    }

    private void onCatalog(byte[] body) {
        SortedSet<String> names = ConsulTranslator.serviceNames(body, settings.tag());
        for (String name : List.copyOf(watches.keySet())) {
            if (!names.contains(name)) {
                unwatch(name);
            }
        }
        for (String name : names) {
            if (!watches.containsKey(name)) {
                watch(name);
            }
        }
        catalogRead = true;
        handOverIfComplete();
    }

    private void watch(String name) {
        BlockingQuery q = new BlockingQuery("service " + name, index -> client.healthService(name, index),
                body -> onInstances(name, body), client, loop, backoff, new Outcomes());
        watches.put(name, q);
        log.debug("source=consul watch=start service={}", name);
        q.start();
    }

    private void unwatch(String name) {
        BlockingQuery q = watches.remove(name);
        q.close();
        skipped.remove(name);
        if (failing.remove(q)) {
            recoveredIfNoneFailing();
        }
        boolean known = instances.remove(name) != null;
        meters.instances(instanceCount());
        log.info("source=consul service={} gone_from=catalog", name);
        if (handedOver && known) {
            deliver(settings.keyOf(name));
        }
    }

    private void onInstances(String name, byte[] body) {
        ConsulTranslator.Instances read = ConsulTranslator.instances(body, settings.onlyPassing());
        instances.put(name, read.endpoints());
        if (handedOver) {
            deliver(settings.keyOf(name));
        } else {
            handOverIfComplete();
        }
        meters.instances(instanceCount());
        List<String> before = skipped.put(name, read.skipped());
        if (!read.skipped().isEmpty() && !read.skipped().equals(before)) {
            String message = "consul service " + name + ": " + String.join("; ", read.skipped());
            log.warn("source=consul service={} skipped=\"{}\"", name, String.join("; ", read.skipped()));
            listener.onError(NAME, message, null);
        }
    }

    private void handOverIfComplete() {
        if (handedOver || (settings.watchesCatalog() && !catalogRead)
                || !instances.keySet().containsAll(watches.keySet())) {
            return;
        }
        handedOver = true;
        meters.synced();
        meters.live(failing.isEmpty());
        Map<ServiceKey, ServiceDefinition> state = state();
        listener.onReplace(NAME, state);
        log.info("source=consul synced registry_services={} services={} endpoints={}", instances.size(),
                state.size(), state.values().stream().mapToInt(d -> d.endpoints().size()).sum());
    }

    private int instanceCount() {
        int n = 0;
        for (List<Endpoint> list : instances.values()) {
            n += list.size();
        }
        return n;
    }

    /** Every service this source knows, each with the instances of every registry service renamed to it. */
    private Map<ServiceKey, ServiceDefinition> state() {
        Map<ServiceKey, List<Endpoint>> merged = new LinkedHashMap<>();
        for (String name : new TreeMap<>(instances).keySet()) {
            merged.computeIfAbsent(settings.keyOf(name), k -> new ArrayList<>()).addAll(instances.get(name));
        }
        Map<ServiceKey, ServiceDefinition> out = new LinkedHashMap<>();
        merged.forEach((key, endpoints) -> out.put(key, definition(key, endpoints)));
        return out;
    }

    private void deliver(ServiceKey key) {
        List<Endpoint> endpoints = null;
        for (String name : new TreeMap<>(instances).keySet()) {
            if (settings.keyOf(name).equals(key)) {
                if (endpoints == null) {
                    endpoints = new ArrayList<>();
                }
                endpoints.addAll(instances.get(name));
            }
        }
        listener.onChange(NAME, key, endpoints == null ? null : definition(key, endpoints));
    }

    /** One endpoint per address: where two registry services renamed to one list the same, the first name's wins. */
    private static ServiceDefinition definition(ServiceKey key, List<Endpoint> endpoints) {
        Map<InetSocketAddress, Endpoint> byAddress = new LinkedHashMap<>();
        for (Endpoint e : endpoints) {
            byAddress.putIfAbsent(e.address(), e);
        }
        return ServiceDefinition.of(key, new ArrayList<>(byAddress.values()));
    }

    private void recoveredIfNoneFailing() {
        if (!failing.isEmpty()) {
            return;
        }
        log.info("source=consul registry=recovered address={} after_ms={}", settings.address(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - failingSince));
        if (handedOver) {
            // Unchanged services cost nothing; the source's status loses its last error.
            listener.onReplace(NAME, state());
        }
    }

    /** One line when the registry starts failing and one when every watch reads again; every failure reported. */
    private final class Outcomes implements BlockingQuery.Outcomes {
        @Override
        public void onSuccess(BlockingQuery query) {
            if (failing.remove(query)) {
                recoveredIfNoneFailing();
            }
            if (handedOver) {
                meters.synced();
                meters.live(failing.isEmpty());
            }
        }

        @Override
        public void onFailure(BlockingQuery query, String message, Throwable cause) {
            if (failing.isEmpty()) {
                failingSince = System.nanoTime();
                log.warn("source=consul registry=failing address={} query=\"{}\" reason=\"{}\" state={}",
                        settings.address(), query.what(), message, handedOver ? "kept" : "not_synced");
            }
            failing.add(query);
            meters.failed();
            meters.live(false);
            listener.onError(NAME, "consul " + settings.address() + " " + query.what() + ": " + message, cause);
        }
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            // Cancelling a request closes its connection: the registry stops holding it at once.
            loop.submit(this::closeWatches).get(5, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("source=consul loop already stopped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("source=consul close_failed reason=\"{}\"", e.toString());
        }
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        meters.close();
        log.info("source=consul stopped");
    }

    private void closeWatches() {
        if (catalog != null) {
            catalog.close();
        }
        for (BlockingQuery q : new HashSet<>(watches.values())) {
            q.close();
        }
    }
}
