package io.junction.agent.discovery.kubernetes;

import io.junction.agent.discovery.SourceMeters;
import io.junction.core.discovery.DiscoveryListener;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.time.Clock;

/**
 * A {@link KubernetesIndex} fed a {@link BenchCluster} the way {@link KubernetesSource}'s informer handlers feed it:
 * every Service and slice added, then the hand-over once both informers have listed; after that, one slice update
 * at a time through {@link KubernetesIndex#updateSlice} (the slice informer's {@code onUpdate}), round-robin over the
 * first {@code touched} Services, each flipping that Service's slice between its listed and its changed form.
 *
 * <p>Not thread-safe: one thread drives it, as one informer thread drives the index.
 */
final class ClusterFeed implements AutoCloseable {
    private final BenchCluster cluster;
    private final AnnotationEvents events;
    private final KubernetesIndex index;
    private final boolean[] changed;
    private final int touched;
    private int next;

    /** @param touched how many Services the updates go round, from the first; 0 for all of them */
    ClusterFeed(BenchCluster cluster, int touched, DiscoveryListener listener) {
        if (touched < 0 || touched > cluster.size()) {
            throw new IllegalArgumentException("touched: " + touched + " (expected: 0.." + cluster.size() + ")");
        }
        this.cluster = cluster;
        this.touched = touched == 0 ? cluster.size() : touched;
        // No client: the cluster's Services carry no junction.io annotations, so there is never an Event to post,
        // and a real client would add its HTTP client's threads and heap to what the benchmark measures.
        this.events = new AnnotationEvents(null, BenchCluster.NODE);
        // The source's meters count instances on every change, as in the agent; a registry that keeps nothing.
        this.index = new KubernetesIndex(KubernetesSource.NAME, new KubernetesTranslator(BenchCluster.NODE), listener,
                events, new SourceMeters(new CompositeMeterRegistry(), Clock.systemUTC(), KubernetesSource.NAME));
        this.changed = new boolean[cluster.size()];
        for (int s = 0; s < cluster.size(); s++) {
            index.putService(cluster.service(s));
            index.putSlice(cluster.slice(s, false));
        }
        index.handOver();
    }

    /** Updates the next Service's slice as the informer would (old object, new object); returns its number. */
    int updateNext() {
        int s = next;
        next = next + 1 == touched ? 0 : next + 1;
        boolean was = changed[s];
        changed[s] = !was;
        index.updateSlice(cluster.slice(s, was), cluster.slice(s, !was));
        return s;
    }

    /** Whether Service {@code s}'s slice is in its changed form now. */
    boolean changed(int s) {
        return changed[s];
    }

    @Override
    public void close() {
        index.close();
        events.close();
    }
}
