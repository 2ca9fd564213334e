package io.junction.agent.discovery.eureka;

import io.junction.core.discovery.DiscoveryListener;
import io.junction.core.discovery.DiscoverySource;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.ServiceKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The {@code discovery.eureka} source. It reads the registry as Eureka's {@code DiscoveryClient} does: a full fetch
 * ({@code GET apps/}), then every refresh interval a delta ({@code GET apps/delta}) applied to the local copy and
 * checked against the server's {@code apps__hashcode}; on a mismatch, an empty copy or a server with deltas off
 * (403), a full fetch. The first successful fetch is delivered whole ({@code onReplace}, the source is then synced);
 * after that only the services that changed ({@code onChange}).
 *
 * <p>Failures: until the first fetch succeeds the source stays unsynced (the agent runs, not ready) and retries after
 * 1 s, doubling up to the refresh interval. A server lost later leaves the last state in force: one log line when it
 * goes, one when it is back, and each failed attempt reported to {@link DiscoveryListener#onError} for
 * {@code /api/status}; on recovery the whole state is delivered again, which clears the error there.
 *
 * <p>Threading: everything (HTTP callbacks included, as the HTTP client's executor) runs on one scheduled thread,
 * {@code junction-eureka}; nothing here blocks.
 */
public final class EurekaSource implements DiscoverySource {
    public static final String NAME = "eureka";
    private static final Logger log = LoggerFactory.getLogger(EurekaSource.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    /** Problem lines remembered so that each is logged once; forgotten all at once past this many. */
    private static final int MAX_REMEMBERED_PROBLEMS = 10_000;

    private final EurekaSettings settings;
    private final EurekaTranslator translator;
    private final EurekaMetrics metrics;
    private final ScheduledExecutorService thread;
    private final EurekaHttp http;

    // Fetch-thread state.
    private final EurekaRegistry registry = new EurekaRegistry();
    private final Set<String> loggedProblems = new HashSet<>();
    private Map<ServiceKey, ServiceDefinition> published = Map.of();
    private DiscoveryListener listener;
    private boolean synced;
    private int failures;
    private volatile boolean closed;

    public EurekaSource(EurekaSettings settings, EurekaMetrics metrics) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.translator = new EurekaTranslator(settings);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "junction-eureka");
            t.setDaemon(true);
            return t;
        });
        this.http = new EurekaHttp(settings.serviceUrls(), thread);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start(DiscoveryListener discoveryListener) {
        Objects.requireNonNull(discoveryListener, "listener");
        log.info("source=eureka starting service_urls={} refresh_interval={} applications={}",
                settings.serviceUrls(), settings.refreshInterval(),
                settings.applications().isEmpty() ? "all" : settings.applications());
        thread.execute(() -> {
            listener = discoveryListener;
            cycle();
        });
    }

    /** One fetch (full or delta), then the next one scheduled. */
    private void cycle() {
        if (closed) {
            return;
        }
        CompletableFuture<Void> fetch = registry.filled() && !registry.isEmpty() ? delta() : full();
        fetch.whenCompleteAsync((ok, t) -> {
            if (closed) {
                return;
            }
            Duration next = settings.refreshInterval();
            try {
                if (t == null) {
                    succeeded();
                } else {
                    failed(t instanceof CompletionException && t.getCause() != null ? t.getCause() : t);
                    next = backoff();
                }
            } catch (RuntimeException e) {
                // A bug here must not end the loop: the next cycle starts over with a full fetch.
                log.error("source=eureka cycle_failed", e);
                registry.clear();
            } finally {
                schedule(next);
            }
        }, thread);
    }

    private CompletableFuture<Void> full() {
        return http.get("apps/").thenAcceptAsync(r -> {
            EurekaApplications apps = parse(r, "apps/");
            registry.replace(apps);
            metrics.fetched("full");
        }, thread);
    }

    private CompletableFuture<Void> delta() {
        return http.get("apps/delta").thenComposeAsync(r -> {
            if (r.status() == 403) {
                // Deltas are off on this server (disableDelta): full fetches only, as DiscoveryClient does.
                return full();
            }
            EurekaApplications delta = parse(r, "apps/delta");
            registry.apply(delta);
            metrics.fetched("delta");
            String mine = registry.reconcileHashCode();
            if (!mine.equals(delta.appsHashcode())) {
                log.info("source=eureka reconcile_hash_mismatch local={} server={} action=full_fetch", mine,
                        delta.appsHashcode());
                // Until a full fetch succeeds, the patched copy is not trusted for the next delta.
                registry.clear();
                return full();
            }
            return CompletableFuture.completedFuture(null);
        }, thread);
    }

    private EurekaApplications parse(EurekaHttp.Response r, String path) {
        if (r.status() != 200) {
            throw new IllegalStateException(r.server().resolve(path) + " answered HTTP " + r.status());
        }
        try {
            EurekaApplications apps = EurekaDocument.parse(r.body());
            logOnce(apps.problems());
            return apps;
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(r.server().resolve(path) + ": " + e.getMessage(), e);
        }
    }

    private void succeeded() {
        EurekaTranslator.Result result = translator.translate(registry.instances());
        logOnce(result.problems());
        Map<ServiceKey, ServiceDefinition> next = result.services();
        metrics.synced(registry.size());
        if (!synced || failures > 0) {
            if (synced) {
                log.info("source=eureka server=recovered after_failures={} services={}", failures, next.size());
            } else {
                log.info("source=eureka synced services={} instances={}", next.size(), registry.size());
            }
            // The whole state: the first marks the source synced; after an outage it clears the reported error.
            listener.onReplace(NAME, next);
            synced = true;
        } else {
            Set<ServiceKey> keys = new HashSet<>(published.keySet());
            keys.addAll(next.keySet());
            for (ServiceKey key : keys) {
                ServiceDefinition now = next.get(key);
                if (!Objects.equals(published.get(key), now)) {
                    log.info("source=eureka service={} endpoints={}", key, now == null ? "removed"
                            : now.endpoints().size());
                    listener.onChange(NAME, key, now);
                }
            }
        }
        published = Map.copyOf(next);
        failures = 0;
    }

    private void failed(Throwable t) {
        failures++;
        metrics.failed();
        String message = "eureka: " + t.getMessage();
        if (failures == 1) {
            if (synced) {
                log.warn("source=eureka server=lost serving=last_known_state reason=\"{}\"", t.getMessage());
            } else {
                log.warn("source=eureka server=unreachable synced=false retrying=true reason=\"{}\"",
                        t.getMessage());
            }
        } else {
            log.debug("source=eureka fetch_failed failures={} reason=\"{}\"", failures, t.getMessage());
        }
        listener.onError(NAME, message, t);
    }

    /** After a failure: 1 s, doubling, at most the refresh interval. */
    private Duration backoff() {
        Duration cap = settings.refreshInterval().compareTo(FIRST_RETRY) > 0 ? settings.refreshInterval()
                : FIRST_RETRY;
        Duration d = FIRST_RETRY.multipliedBy(1L << Math.min(failures - 1, 16));
        return d.compareTo(cap) > 0 ? cap : d;
    }

    private void schedule(Duration delay) {
        try {
            thread.schedule(this::cycle, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closed meanwhile: nothing more to fetch.
        }
    }

    private void logOnce(List<String> problems) {
        for (String p : problems) {
            if (loggedProblems.size() >= MAX_REMEMBERED_PROBLEMS) {
                loggedProblems.clear();
            }
            if (loggedProblems.add(p)) {
                log.warn("source=eureka {}", p);
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        thread.shutdownNow();
        metrics.close();
        log.info("source=eureka stopped");
    }
}
