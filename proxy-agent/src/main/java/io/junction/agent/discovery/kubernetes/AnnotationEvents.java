package io.junction.agent.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reports an annotation that cannot be applied as a Warning Event ({@value #EVENT_REASON}) on its Service, so that
 * whoever wrote it sees why with {@code kubectl describe}. The API call runs on its own thread: an informer callback
 * never waits for the API server.
 *
 * <p>Thread-safe.
 */
final class AnnotationEvents implements AutoCloseable {
    static final String EVENT_REASON = "InvalidAnnotation";
    static final String COMPONENT = "junction";
    private static final int MAX_MESSAGE = 1000;

    private static final Logger log = LoggerFactory.getLogger(AnnotationEvents.class);

    private final KubernetesClient client;
    private final String nodeName;
    private final AtomicLong sequence = new AtomicLong();
    private final ExecutorService poster = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "junction-k8s-events");
        t.setDaemon(true);
        return t;
    });

    AnnotationEvents(KubernetesClient client, String nodeName) {
        this.client = client;
        this.nodeName = nodeName;
    }

    /** Posts one Warning Event on {@code service} saying why {@code problem}'s annotation was not applied. */
    void post(Service service, KubernetesTranslator.AnnotationProblem problem) {
        String ns = service.getMetadata().getNamespace();
        String name = service.getMetadata().getName();
        String message = "annotation " + problem.annotation() + " not applied: " + problem.reason();
        String now = Instant.now().toString();
        var event = new EventBuilder()
                .withNewMetadata().withNamespace(ns)
                .withName(name + "." + Long.toHexString(System.currentTimeMillis()) + sequence.incrementAndGet())
                .endMetadata()
                .withNewInvolvedObject().withApiVersion("v1").withKind("Service").withNamespace(ns).withName(name)
                .withUid(service.getMetadata().getUid()).withResourceVersion(service.getMetadata().getResourceVersion())
                .endInvolvedObject()
                .withType("Warning").withReason(EVENT_REASON)
                .withMessage(message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message)
                .withNewSource().withComponent(COMPONENT).withHost(nodeName).endSource()
                .withReportingComponent(COMPONENT).withReportingInstance(nodeName)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
        poster.execute(() -> {
            try {
                client.v1().events().inNamespace(ns).resource(event).create();
            } catch (RuntimeException e) {
                log.warn("source=kubernetes service={}/{} event_failed reason=\"{}\"", ns, name, e.toString());
            }
        });
    }

    /** Lets Events already queued be sent; posts nothing more. */
    @Override
    public void close() {
        poster.shutdown();
    }
}
