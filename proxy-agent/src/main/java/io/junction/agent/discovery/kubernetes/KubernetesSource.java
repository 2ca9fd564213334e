package io.junction.agent.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceList;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.ServiceResource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.junction.core.discovery.DiscoveryListener;
import io.junction.core.discovery.DiscoverySource;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.ServiceKey;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services and EndpointSlices from the Kubernetes API, through two Fabric8 shared informers (no polling; listing,
 * watching, resyncing and reconnecting are the informers' job). Until both have listed once it only records what
 * they deliver; then it hands the whole state over with {@link DiscoveryListener#onReplace} (which marks it synced)
 * and, from then on, one {@link DiscoveryListener#onChange} per service port that changed: an EndpointSlice event
 * touches only its own Service.
 *
 * <p>When the API server goes away the informers keep their caches, so the last known state keeps serving and no
 * removal is delivered; one line is logged when the watch is lost and one when it is back.
 *
 * <p>An annotation that cannot be applied is logged once (namespace/name, annotation, reason) and reported as a
 * Warning Event on the Service; the rest of the Service is served.
 *
 * <p>Thread-safe: informer callbacks take one short lock, translate the one Service they touch and record the
 * change with the listener, which returns at once.
 */
public final class KubernetesSource implements DiscoverySource {
    public static final String NAME = "kubernetes";
    static final String EVENT_REASON = "InvalidAnnotation";
    static final String COMPONENT = "junction";

    private static final Logger log = LoggerFactory.getLogger(KubernetesSource.class);
    private static final long WATCH_CHECK_MS = 500;

    private final KubernetesClient client;
    private final boolean ownsClient;
    private final String namespace;
    private final String labelSelector;
    private final String nodeName;
    private final KubernetesTranslator translator;
    private final AtomicLong eventSeq = new AtomicLong();

    private final Object lock = new Object();
    // All guarded by lock.
    private final Map<String, Service> services = new HashMap<>();
    private final Map<String, Map<String, EndpointSlice>> slices = new HashMap<>();
    private final Map<String, Map<ServiceKey, ServiceDefinition>> delivered = new HashMap<>();
    private final Map<String, Set<String>> reported = new HashMap<>();
    private DiscoveryListener listener;
    private boolean synced;
    private boolean closed;
    private SharedIndexInformer<Service> serviceInformer;
    private SharedIndexInformer<EndpointSlice> sliceInformer;

    private volatile boolean watchLost;
    /** Watchdog thread only: checks in a row that found a watch down. */
    private int downChecks;
    private ExecutorService events;
    private ScheduledExecutorService watchdog;

    /**
     * @param client        the API client
     * @param ownsClient    whether {@link #close()} closes the client
     * @param namespace     the one namespace to watch, or null for all
     * @param labelSelector a label selector for Services, or null for all
     * @param nodeName      this node's name, for {@code internalTrafficPolicy: Local}
     */
    public KubernetesSource(KubernetesClient client, boolean ownsClient, String namespace, String labelSelector,
                            String nodeName) {
        this.client = Objects.requireNonNull(client, "client");
        this.ownsClient = ownsClient;
        this.namespace = namespace;
        this.labelSelector = labelSelector;
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        this.translator = new KubernetesTranslator(nodeName);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start(DiscoveryListener l) {
        synchronized (lock) {
            if (listener != null || closed) {
                throw new IllegalStateException("already started or closed");
            }
            listener = Objects.requireNonNull(l, "listener");
            events = Executors.newSingleThreadExecutor(daemon("junction-k8s-events"));
            watchdog = Executors.newSingleThreadScheduledExecutor(daemon("junction-k8s-watch"));
            FilterWatchListDeletable<Service, ServiceList, ServiceResource<Service>> svcOps =
                    namespace == null ? client.services().inAnyNamespace() : client.services().inNamespace(namespace);
            if (labelSelector != null) {
                svcOps = svcOps.withLabelSelector(labelSelector);
            }
            FilterWatchListDeletable<EndpointSlice, EndpointSliceList, Resource<EndpointSlice>> sliceOps =
                    namespace == null ? client.discovery().v1().endpointSlices().inAnyNamespace()
                            : client.discovery().v1().endpointSlices().inNamespace(namespace);
            sliceOps = sliceOps.withLabel(KubernetesTranslator.SERVICE_NAME_LABEL);
            serviceInformer = svcOps.runnableInformer(0);
            sliceInformer = sliceOps.runnableInformer(0);
            serviceInformer.addEventHandler(new ServiceHandler()).exceptionHandler(this::onWatchError);
            sliceInformer.addEventHandler(new SliceHandler()).exceptionHandler(this::onWatchError);
        }
        CompletableFuture<Void> a = serviceInformer.start().toCompletableFuture();
        CompletableFuture<Void> b = sliceInformer.start().toCompletableFuture();
        CompletableFuture.allOf(a, b).whenComplete((v, e) -> {
            if (e != null) {
                log.warn("source=kubernetes informers_failed reason=\"{}\"", e.toString());
                return;
            }
            onSynced();
        });
        watchdog.scheduleWithFixedDelay(this::checkWatch, WATCH_CHECK_MS, WATCH_CHECK_MS, TimeUnit.MILLISECONDS);
        log.info("source=kubernetes starting namespace={} label_selector=\"{}\" node={}",
                namespace == null ? "*" : namespace, labelSelector == null ? "" : labelSelector, nodeName);
    }

    /** Whether both informers have listed once and the state was handed over. */
    public boolean synced() {
        synchronized (lock) {
            return synced;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (serviceInformer != null) {
            serviceInformer.stop();
        }
        if (sliceInformer != null) {
            sliceInformer.stop();
        }
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
        awaitStopped(serviceInformer);
        awaitStopped(sliceInformer);
        if (events != null) {
            events.shutdown();
        }
        if (ownsClient) {
            client.close();
        }
    }

    /** Lets a stopping informer finish before its client closes, so that it does not retry on a closed client. */
    private static void awaitStopped(SharedIndexInformer<?> informer) {
        if (informer == null) {
            return;
        }
        try {
            informer.stopped().toCompletableFuture().get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.debug("source=kubernetes informer_stop reason=\"{}\"", e.toString());
        }
    }

    private void onSynced() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            Map<ServiceKey, ServiceDefinition> all = new LinkedHashMap<>();
            for (String id : services.keySet()) {
                Map<ServiceKey, ServiceDefinition> defs = translate(id);
                delivered.put(id, defs);
                all.putAll(defs);
            }
            synced = true;
            listener.onReplace(NAME, all);
            log.info("source=kubernetes synced services={} service_ports={}", services.size(), all.size());
        }
    }

    /** Called with the lock held: the service {@code id} may have changed; delivers what did. */
    private void refresh(String id) {
        if (!synced || closed) {
            return;
        }
        Map<ServiceKey, ServiceDefinition> now = translate(id);
        Map<ServiceKey, ServiceDefinition> before = delivered.getOrDefault(id, Map.of());
        for (ServiceKey k : before.keySet()) {
            if (!now.containsKey(k)) {
                listener.onChange(NAME, k, null);
            }
        }
        for (var e : now.entrySet()) {
            if (!e.getValue().equals(before.get(e.getKey()))) {
                listener.onChange(NAME, e.getKey(), e.getValue());
            }
        }
        if (now.isEmpty()) {
            delivered.remove(id);
        } else {
            delivered.put(id, now);
        }
    }

    /** Called with the lock held. */
    private Map<ServiceKey, ServiceDefinition> translate(String id) {
        Service service = services.get(id);
        if (service == null) {
            reported.remove(id);
            return Map.of();
        }
        Map<String, EndpointSlice> own = slices.getOrDefault(id, Map.of());
        KubernetesTranslator.Result r = translator.translate(service, own.values());
        Set<String> seen = new HashSet<>();
        Set<String> before = reported.getOrDefault(id, Set.of());
        if (r.skipped() != null) {
            seen.add("skip:" + r.skipped());
            if (!before.contains("skip:" + r.skipped())) {
                log.debug("source=kubernetes service={} skipped reason=\"{}\"", id, r.skipped());
            }
        }
        for (String port : r.ignoredPorts()) {
            seen.add("port:" + port);
            if (!before.contains("port:" + port)) {
                log.info("source=kubernetes service={} ignored=\"{}\"", id, port);
            }
        }
        for (KubernetesTranslator.AnnotationProblem p : r.badAnnotations()) {
            String mark = "ann:" + p.annotation() + '=' + p.value();
            seen.add(mark);
            if (!before.contains(mark)) {
                log.warn("source=kubernetes service={} annotation={} invalid, not applied: {}", id, p.annotation(),
                        p.reason());
                postEvent(service, p);
            }
        }
        if (seen.isEmpty()) {
            reported.remove(id);
        } else {
            reported.put(id, seen);
        }
        return r.services();
    }

    private void postEvent(Service service, KubernetesTranslator.AnnotationProblem p) {
        String ns = service.getMetadata().getNamespace();
        String name = service.getMetadata().getName();
        String message = "annotation " + p.annotation() + " not applied: " + p.reason();
        String now = Instant.now().toString();
        var event = new EventBuilder()
                .withNewMetadata().withNamespace(ns)
                .withName(name + "." + Long.toHexString(System.currentTimeMillis()) + eventSeq.incrementAndGet())
                .endMetadata()
                .withNewInvolvedObject().withApiVersion("v1").withKind("Service").withNamespace(ns).withName(name)
                .withUid(service.getMetadata().getUid()).withResourceVersion(service.getMetadata().getResourceVersion())
                .endInvolvedObject()
                .withType("Warning").withReason(EVENT_REASON)
                .withMessage(message.length() > 1000 ? message.substring(0, 997) + "..." : message)
                .withNewSource().withComponent(COMPONENT).withHost(nodeName).endSource()
                .withReportingComponent(COMPONENT).withReportingInstance(nodeName)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
        events.execute(() -> {
            try {
                client.v1().events().inNamespace(ns).resource(event).create();
            } catch (RuntimeException e) {
                log.warn("source=kubernetes service={}/{} event_failed reason=\"{}\"", ns, name, e.toString());
            }
        });
    }

    /** Informer threads: keeps the informer retrying (and the last state serving) until this source is closed. */
    private boolean onWatchError(boolean started, Throwable t) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
        }
        if (!watchLost) {
            watchLost = true;
            log.warn("source=kubernetes api_server=lost serving=last_known_state reason=\"{}\"", t.toString());
        }
        return true;
    }

    /**
     * Watchdog thread: logs the watch's loss and recovery, once each. The informers retry on their own, mostly without
     * calling the exception handler, so the loss is read from {@code isWatching()}: down on two checks in a row after
     * the first hand-over (a watch still opening right after the first list is not a loss).
     */
    private void checkWatch() {
        boolean ready;
        synchronized (lock) {
            ready = synced;
        }
        if (!ready) {
            return;
        }
        boolean watching = serviceInformer.isWatching() && sliceInformer.isWatching();
        if (watching) {
            downChecks = 0;
            if (watchLost) {
                watchLost = false;
                log.info("source=kubernetes api_server=recovered");
            }
        } else if (++downChecks >= 2 && !watchLost) {
            watchLost = true;
            log.warn("source=kubernetes api_server=lost serving=last_known_state reason=\"watch closed\"");
        }
    }

    private static String id(HasMetadata o) {
        return o.getMetadata().getNamespace() + '/' + o.getMetadata().getName();
    }

    private static String serviceOf(EndpointSlice s) {
        Map<String, String> labels = s.getMetadata().getLabels();
        String svc = labels == null ? null : labels.get(KubernetesTranslator.SERVICE_NAME_LABEL);
        return svc == null ? null : s.getMetadata().getNamespace() + '/' + svc;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private final class ServiceHandler implements ResourceEventHandler<Service> {
        @Override
        public void onAdd(Service s) {
            synchronized (lock) {
                services.put(id(s), s);
                refresh(id(s));
            }
        }

        @Override
        public void onUpdate(Service old, Service s) {
            onAdd(s);
        }

        @Override
        public void onDelete(Service s, boolean finalStateUnknown) {
            synchronized (lock) {
                services.remove(id(s));
                refresh(id(s));
            }
        }
    }

    private final class SliceHandler implements ResourceEventHandler<EndpointSlice> {
        @Override
        public void onAdd(EndpointSlice s) {
            synchronized (lock) {
                put(s);
            }
        }

        @Override
        public void onUpdate(EndpointSlice old, EndpointSlice s) {
            synchronized (lock) {
                String before = serviceOf(old);
                if (before != null && !before.equals(serviceOf(s))) {
                    remove(old);
                }
                put(s);
            }
        }

        @Override
        public void onDelete(EndpointSlice s, boolean finalStateUnknown) {
            synchronized (lock) {
                remove(s);
            }
        }

        private void put(EndpointSlice s) {
            String svc = serviceOf(s);
            if (svc != null) {
                slices.computeIfAbsent(svc, k -> new HashMap<>()).put(s.getMetadata().getName(), s);
                refresh(svc);
            }
        }

        private void remove(EndpointSlice s) {
            String svc = serviceOf(s);
            if (svc == null) {
                return;
            }
            Map<String, EndpointSlice> own = slices.get(svc);
            if (own != null) {
                own.remove(s.getMetadata().getName());
                if (own.isEmpty()) {
                    slices.remove(svc);
                }
            }
            refresh(svc);
        }
    }

    /** For tests: the service ports last handed to the listener, by Service. */
    Map<String, Map<ServiceKey, ServiceDefinition>> delivered() {
        synchronized (lock) {
            return Map.copyOf(delivered);
        }
    }
}
