package io.junction.agent.discovery.kubernetes;

import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.junction.agent.discovery.SourceMeters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Tells the API server's loss and recovery, one log line each, while the informers retry on their own and the last
 * state keeps serving. The informers mostly retry without calling their exception handler, so the loss is read from
 * {@code isWatching()} on a local check every {@value #CHECK_MS} ms (nothing is asked of the API server): down on two
 * checks in a row once the state was handed over (a watch still opening right after the first list is not a loss).
 *
 * <p>It also keeps the source's shared meters' sync state: the view is current ({@code last_sync} reads now) while
 * every watch is up after the hand-over, and frozen from the moment one is lost; each watch failure the informers
 * report, or a loss found by the check, counts as an error.
 *
 * <p>Thread-safe: the informers' exception handler and the check thread share one volatile flag.
 */
final class ApiServerWatch implements AutoCloseable {
    static final long CHECK_MS = 500;

    private static final Logger log = LoggerFactory.getLogger(ApiServerWatch.class);

    private final SharedIndexInformer<?>[] informers;
    private final BooleanSupplier handedOver;
    private final SourceMeters meters;
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "junction-k8s-watch");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean lost;
    /** Check thread only: checks in a row that found a watch down. */
    private int downChecks;

    /**
     * @param handedOver whether the source has handed its first state over (before that, nothing is lost yet)
     * @param meters     the source's shared meters
     * @param informers  the informers whose watches are followed
     */
    ApiServerWatch(BooleanSupplier handedOver, SourceMeters meters, SharedIndexInformer<?>... informers) {
        this.handedOver = handedOver;
        this.meters = meters;
        this.informers = informers.clone();
    }

    void start() {
        checker.scheduleWithFixedDelay(this::check, CHECK_MS, CHECK_MS, TimeUnit.MILLISECONDS);
    }

    /** Informer threads (their exception handler): a watch failed; the informer keeps retrying. */
    void failed(Throwable t) {
        meters.failed();
        if (!lost) {
            lost = true;
            meters.live(false);
            log.warn("source=kubernetes api_server=lost serving=last_known_state reason=\"{}\"", t.toString());
        }
    }

    private void check() {
        if (!handedOver.getAsBoolean()) {
            return;
        }
        boolean watching = true;
        for (SharedIndexInformer<?> informer : informers) {
            watching &= informer.isWatching();
        }
        if (watching) {
            downChecks = 0;
            meters.live(true);
            if (lost) {
                lost = false;
                log.info("source=kubernetes api_server=recovered");
            }
        } else if (++downChecks >= 2 && !lost) {
            lost = true;
            meters.failed();
            meters.live(false);
            log.warn("source=kubernetes api_server=lost serving=last_known_state reason=\"watch closed\"");
        }
    }

    @Override
    public void close() {
        checker.shutdownNow();
    }
}
