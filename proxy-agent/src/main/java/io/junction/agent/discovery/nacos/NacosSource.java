package io.junction.agent.discovery.nacos;

import io.junction.agent.discovery.SourceMeters;
import io.junction.core.discovery.DiscoveryListener;
import io.junction.core.discovery.DiscoverySource;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.ServiceKey;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code discovery.nacos} source. Every {@code pollInterval} it reads the instances of each configured service
 * (one request after the other) and hands over what changed: the first complete read as one {@code onReplace}, then
 * one {@code onChange} per Junction service that changed. An answer with the same non-empty {@code checksum} as the
 * previous one for its service is not read again.
 *
 * <p>Why polling: the HTTP API's only push is v1's UDP push ({@code udpPort}), which the v2 API does not offer and
 * Nacos 3.x removes (its client API asks HTTP clients to poll); long polling exists only for configurations. The
 * poll interval is bounded (500ms..5m).
 *
 * <p>Failures: until the first complete read the source is unsynced (the agent stays not ready, waiting for it). A
 * read that fails on every server later keeps the last known state, logs the loss once and reports each failed round
 * to the listener ({@code /api/status} shows it); the first good round logs the recovery and hands the whole state over
 * again, which also clears the error from the status. An instance that cannot be read is left out and logged once
 * while it stays so.
 *
 * <p>Threading: one thread ({@code junction-nacos}) owns all state; the HTTP client runs its completions on it too.
 */
public final class NacosSource implements DiscoverySource {
    public static final String NAME = "nacos";
    /** How long one HTTP request (login or list) may take before the next server is asked. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(NacosSource.class);

    private final NacosSettings settings;
    private final MeterRegistry registry;
    private final Clock clock;
    private final NacosTranslator translator;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "junction-nacos");
        t.setDaemon(true);
        return t;
    });
    private volatile SourceMeters meters;
    private final AtomicBoolean started = new AtomicBoolean();

    // Owned by the source thread.
    private DiscoveryListener listener;
    private NacosClient client;
    private boolean synced;
    private boolean lost;
    private final Map<String, Map<ServiceKey, ServiceDefinition>> state = new HashMap<>();
    private final Map<String, String> checksums = new HashMap<>();
    private final Map<String, Set<String>> malformed = new HashMap<>();

    private int instances;
    private volatile boolean closed;

    public NacosSource(NacosSettings settings, MeterRegistry registry, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.translator = new NacosTranslator(settings);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start(DiscoveryListener l) {
        Objects.requireNonNull(l, "listener");
        if (!started.compareAndSet(false, true) || closed) {
            throw new IllegalStateException("already started or closed");
        }
        bindMeters();
        thread.execute(() -> {
            listener = l;
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(CONNECT_TIMEOUT)
                    .executor(thread)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
            client = new NacosClient(settings, http, clock, REQUEST_TIMEOUT);
            round();
        });
        log.info("source=nacos starting servers={} namespace={} group={} services={} clusters={} auth={} "
                        + "poll_interval={}", settings.servers(),
                settings.namespace().isEmpty() ? "public" : settings.namespace(), settings.group(),
                settings.services(), settings.clusters().isEmpty() ? "*" : settings.clusters(),
                settings.authenticated() ? "on" : "off", settings.pollInterval());
    }

    /** Source thread: reads every service in turn, then applies the round and schedules the next one. */
    private void round() {
        if (closed) {
            return;
        }
        Map<String, InstanceList> answers = new LinkedHashMap<>();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (String service : settings.services()) {
            chain = chain.thenCompose(v -> client.list(service)).thenAccept(list -> answers.put(service, list));
        }
        chain.whenCompleteAsync((v, error) -> {
            try {
                if (error == null) {
                    applied(answers);
                } else {
                    failed(error);
                }
            } finally {
                scheduleNext();
            }
        }, thread);
    }

    private void scheduleNext() {
        if (closed) {
            return;
        }
        try {
            thread.schedule(this::round, settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closed meanwhile.
        }
    }

    private void applied(Map<String, InstanceList> answers) {
        Map<ServiceKey, ServiceDefinition> changed = new LinkedHashMap<>();
        Set<ServiceKey> removed = new HashSet<>();
        for (Map.Entry<String, InstanceList> a : answers.entrySet()) {
            String service = a.getKey();
            InstanceList list = a.getValue();
            if (!list.checksum().isEmpty() && list.checksum().equals(checksums.get(service))) {
                continue;
            }
            checksums.put(service, list.checksum());
            NacosTranslator.Translation t = translator.translate(service, list);
            logMalformed(service, t.malformed());
            Map<ServiceKey, ServiceDefinition> before = state.getOrDefault(service, Map.of());
            for (ServiceKey key : before.keySet()) {
                if (!t.definitions().containsKey(key)) {
                    removed.add(key);
                }
            }
            t.definitions().forEach((key, def) -> {
                if (!def.equals(before.get(key))) {
                    changed.put(key, def);
                }
            });
            state.put(service, t.definitions());
        }
        instances = countInstances();
        meters.instances(instances);
        meters.synced();
        if (!synced || lost) {
            if (lost) {
                log.info("source=nacos registry=recovered server={}", client.currentServer());
            }
            synced = true;
            lost = false;
            Map<ServiceKey, ServiceDefinition> all = all();
            listener.onReplace(NAME, all);
            log.info("source=nacos state=handed_over services={} instances={}", all.keySet(), instances);
            return;
        }
        removed.forEach(key -> listener.onChange(NAME, key, null));
        changed.forEach((key, def) -> listener.onChange(NAME, key, def));
        if (!changed.isEmpty() || !removed.isEmpty()) {
            log.info("source=nacos changed={} removed={} instances={}", changed.keySet(), removed, instances);
        }
    }

    private void failed(Throwable error) {
        meters.failed();
        Throwable cause = error.getCause() != null && !(error instanceof NacosFailure) ? error.getCause() : error;
        String reason = String.valueOf(cause.getMessage());
        if (!synced && !lost) {
            lost = true;
            log.warn("source=nacos registry=unreachable serving=nothing_yet waiting=true reason=\"{}\"", reason);
        } else if (synced && !lost) {
            lost = true;
            log.warn("source=nacos registry=lost serving=last_known_state reason=\"{}\"", reason);
        }
        listener.onError(NAME, "nacos unreachable, " + (synced ? "serving the last known state" : "not synced yet")
                + ": " + reason, cause);
    }

    private void logMalformed(String service, List<String> lines) {
        Set<String> now = new HashSet<>(lines);
        Set<String> before = malformed.getOrDefault(service, Set.of());
        for (String line : lines) {
            if (!before.contains(line)) {
                log.warn("source=nacos instance=skipped {}", line);
            }
        }
        malformed.put(service, now);
    }

    private Map<ServiceKey, ServiceDefinition> all() {
        Map<ServiceKey, ServiceDefinition> out = new LinkedHashMap<>();
        state.values().forEach(out::putAll);
        return out;
    }

    private int countInstances() {
        int n = 0;
        for (Map<ServiceKey, ServiceDefinition> defs : state.values()) {
            for (ServiceDefinition d : defs.values()) {
                n += d.endpoints().size();
            }
        }
        return n;
    }

    private void bindMeters() {
        // The same names, tags and descriptions as every registry source's, so that one query covers them all.
        meters = new SourceMeters(registry, clock, NAME);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        thread.shutdownNow();
        SourceMeters m = meters;
        if (m != null) {
            m.close();
        }
    }
}
