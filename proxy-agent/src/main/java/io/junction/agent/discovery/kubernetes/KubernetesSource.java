package io.junction.agent.discovery.kubernetes;

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
import io.junction.agent.discovery.SourceMeters;
import io.junction.core.discovery.DiscoveryListener;
import io.junction.core.discovery.DiscoverySource;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services and EndpointSlices from the Kubernetes API, through two Fabric8 shared informers (no polling; listing,
 * watching, resyncing and reconnecting are the informers' job). The source owns their lifecycle; what they deliver
 * goes to a {@link KubernetesIndex}, which translates and hands changes over per Service; {@link ApiServerWatch}
 * tells the API server's loss and recovery, and {@link AnnotationEvents} reports bad annotations as Events.
 *
 * <p>When the API server goes away the informers keep their caches, so the last known state keeps serving and no
 * removal is delivered.
 *
 * <p>Thread-safe.
 */
public final class KubernetesSource implements DiscoverySource {
    public static final String NAME = "kubernetes";

    private static final Logger log = LoggerFactory.getLogger(KubernetesSource.class);

    private final KubernetesClient client;
    private final boolean ownsClient;
    private final String namespace;
    private final String labelSelector;
    private final String nodeName;
    private final SourceMeters meters;

    private final Object lock = new Object();
    // All guarded by lock; set by start().
    private KubernetesIndex index;
    private boolean closed;
    private SharedIndexInformer<Service> serviceInformer;
    private SharedIndexInformer<EndpointSlice> sliceInformer;
    private AnnotationEvents events;
    private ApiServerWatch watch;

    /**
     * @param client        the API client
     * @param ownsClient    whether {@link #close()} closes the client
     * @param namespace     the one namespace to watch, or null for all
     * @param labelSelector a label selector for Services, or null for all
     * @param nodeName      this node's name, for {@code internalTrafficPolicy: Local}
     * @param registry      where the source's meters go
     * @param clock         the time {@code junction_discovery_last_sync_seconds} tells
     */
    public KubernetesSource(KubernetesClient client, boolean ownsClient, String namespace, String labelSelector,
                            String nodeName, MeterRegistry registry, Clock clock) {
        this.meters = new SourceMeters(registry, clock, NAME);
        this.client = Objects.requireNonNull(client, "client");
        this.ownsClient = ownsClient;
        this.namespace = namespace;
        this.labelSelector = labelSelector;
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start(DiscoveryListener l) {
        Objects.requireNonNull(l, "listener");
        synchronized (lock) {
            if (index != null || closed) {
                throw new IllegalStateException("already started or closed");
            }
            events = new AnnotationEvents(client, nodeName);
            index = new KubernetesIndex(NAME, new KubernetesTranslator(nodeName), l, events, meters);
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
            watch = new ApiServerWatch(index::handedOver, meters, serviceInformer, sliceInformer);
            serviceInformer.addEventHandler(new ServiceHandler(index)).exceptionHandler(this::onWatchError);
            sliceInformer.addEventHandler(new SliceHandler(index)).exceptionHandler(this::onWatchError);
        }
        KubernetesIndex started = index;
        CompletableFuture<Void> a = serviceInformer.start().toCompletableFuture();
        CompletableFuture<Void> b = sliceInformer.start().toCompletableFuture();
        CompletableFuture.allOf(a, b).whenComplete((v, e) -> {
            if (e != null) {
                log.warn("source=kubernetes informers_failed reason=\"{}\"", e.toString());
                return;
            }
            started.handOver();
        });
        watch.start();
        log.info("source=kubernetes starting namespace={} label_selector=\"{}\" node={}",
                namespace == null ? "*" : namespace, labelSelector == null ? "" : labelSelector, nodeName);
    }

    /** Whether both informers have listed once and the state was handed over. */
    public boolean synced() {
        KubernetesIndex i;
        synchronized (lock) {
            i = index;
        }
        return i != null && i.handedOver();
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (index != null) {
            index.close();
        }
        if (serviceInformer != null) {
            serviceInformer.stop();
        }
        if (sliceInformer != null) {
            sliceInformer.stop();
        }
        if (watch != null) {
            watch.close();
        }
        awaitStopped(serviceInformer);
        awaitStopped(sliceInformer);
        if (events != null) {
            events.close();
        }
        if (ownsClient) {
            client.close();
        }
        meters.close();
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
        } catch (ExecutionException | TimeoutException e) {
            log.debug("source=kubernetes informer_stop reason=\"{}\"", e.toString());
        }
    }

    /** Informer threads: keeps the informer retrying (and the last state serving) until this source is closed. */
    private boolean onWatchError(boolean started, Throwable t) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
        }
        watch.failed(t);
        return true;
    }

    private record ServiceHandler(KubernetesIndex index) implements ResourceEventHandler<Service> {
        @Override
        public void onAdd(Service s) {
            index.putService(s);
        }

        @Override
        public void onUpdate(Service old, Service s) {
            index.putService(s);
        }

        @Override
        public void onDelete(Service s, boolean finalStateUnknown) {
            index.removeService(s);
        }
    }

    private record SliceHandler(KubernetesIndex index) implements ResourceEventHandler<EndpointSlice> {
        @Override
        public void onAdd(EndpointSlice s) {
            index.putSlice(s);
        }

        @Override
        public void onUpdate(EndpointSlice old, EndpointSlice s) {
            index.updateSlice(old, s);
        }

        @Override
        public void onDelete(EndpointSlice s, boolean finalStateUnknown) {
            index.removeSlice(s);
        }
    }
}
