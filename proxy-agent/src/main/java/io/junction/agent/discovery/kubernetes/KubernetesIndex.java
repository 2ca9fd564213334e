package io.junction.agent.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.junction.agent.discovery.SourceMeters;
import io.junction.core.discovery.DiscoveryListener;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.ServiceKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the informers delivered, indexed by Service ({@code namespace/name}): each Service and the EndpointSlices
 * labelled with its name, and what was last handed to the listener for it. Until {@link #handOver} it only records;
 * then it hands the whole state over with {@link DiscoveryListener#onReplace}, and from then on an event re-translates
 * only the one Service it touches and delivers an {@link DiscoveryListener#onChange} per service port that changed.
 * A translation problem (a skipped Service, an ignored port, a bad annotation) is logged once, and a bad annotation
 * is reported as an Event, until it changes.
 *
 * <p>Thread-safe: every method takes one short lock; the listener returns at once.
 */
final class KubernetesIndex {
    private static final Logger log = LoggerFactory.getLogger(KubernetesIndex.class);

    private final String source;
    private final KubernetesTranslator translator;
    private final DiscoveryListener listener;
    private final AnnotationEvents events;
    private final SourceMeters meters;

    private final Object lock = new Object();
    // All guarded by lock.
    private final Map<String, Service> services = new HashMap<>();
    private final Map<String, Map<String, EndpointSlice>> slices = new HashMap<>();
    private final Map<String, Map<ServiceKey, ServiceDefinition>> delivered = new HashMap<>();
    private final Map<String, Set<String>> reported = new HashMap<>();
    private boolean handedOver;
    private boolean closed;
    /** Endpoints across every service port delivered. */
    private int instances;

    KubernetesIndex(String source, KubernetesTranslator translator, DiscoveryListener listener,
                    AnnotationEvents events, SourceMeters meters) {
        this.meters = meters;
        this.source = source;
        this.translator = translator;
        this.listener = listener;
        this.events = events;
    }

    /** Whether the first state was handed over. */
    boolean handedOver() {
        synchronized (lock) {
            return handedOver;
        }
    }

    /** Both informers have listed: hands the whole state over (which marks the source synced). */
    void handOver() {
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
            handedOver = true;
            instances = endpointCount(all);
            meters.instances(instances);
            meters.synced();
            listener.onReplace(source, all);
            log.info("source=kubernetes synced services={} service_ports={}", services.size(), all.size());
        }
    }

    /** Delivers nothing more. */
    void close() {
        synchronized (lock) {
            closed = true;
        }
    }

    void putService(Service s) {
        synchronized (lock) {
            services.put(id(s), s);
            refresh(id(s));
        }
    }

    void removeService(Service s) {
        synchronized (lock) {
            services.remove(id(s));
            refresh(id(s));
        }
    }

    void putSlice(EndpointSlice s) {
        synchronized (lock) {
            put(s);
        }
    }

    /** A slice changed; if its service-name label changed, it leaves the Service it belonged to. */
    void updateSlice(EndpointSlice old, EndpointSlice s) {
        synchronized (lock) {
            String before = serviceOf(old);
            if (before != null && !before.equals(serviceOf(s))) {
                remove(old);
            }
            put(s);
        }
    }

    void removeSlice(EndpointSlice s) {
        synchronized (lock) {
            remove(s);
        }
    }

    /** Called with the lock held. */
    private void put(EndpointSlice s) {
        String svc = serviceOf(s);
        if (svc != null) {
            slices.computeIfAbsent(svc, k -> new HashMap<>()).put(s.getMetadata().getName(), s);
            refresh(svc);
        }
    }

    /** Called with the lock held. */
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

    private void refresh(String id) {
        if (!handedOver || closed) {
            return;
        }
        Map<ServiceKey, ServiceDefinition> now = translate(id);
        Map<ServiceKey, ServiceDefinition> before = delivered.getOrDefault(id, Map.of());
        for (ServiceKey k : before.keySet()) {
            if (!now.containsKey(k)) {
                listener.onChange(source, k, null);
            }
        }
        for (var e : now.entrySet()) {
            if (!e.getValue().equals(before.get(e.getKey()))) {
                listener.onChange(source, e.getKey(), e.getValue());
            }
        }
        instances += endpointCount(now) - endpointCount(before);
        meters.instances(instances);
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
                events.post(service, p);
            }
        }
        if (seen.isEmpty()) {
            reported.remove(id);
        } else {
            reported.put(id, seen);
        }
        return r.services();
    }

    private static int endpointCount(Map<ServiceKey, ServiceDefinition> defs) {
        int n = 0;
        for (ServiceDefinition d : defs.values()) {
            n += d.endpoints().size();
        }
        return n;
    }

    private static String id(HasMetadata o) {
        return o.getMetadata().getNamespace() + '/' + o.getMetadata().getName();
    }

    /** The {@code namespace/name} of the Service a slice belongs to, from its service-name label; null without. */
    private static String serviceOf(EndpointSlice s) {
        Map<String, String> labels = s.getMetadata().getLabels();
        String svc = labels == null ? null : labels.get(KubernetesTranslator.SERVICE_NAME_LABEL);
        return svc == null ? null : s.getMetadata().getNamespace() + '/' + svc;
    }
}
