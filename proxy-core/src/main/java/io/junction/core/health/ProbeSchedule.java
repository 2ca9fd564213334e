package io.junction.core.health;

import io.junction.core.model.HealthCheck;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Probes one target again and again on its event loop, one probe at a time, and reports verdict changes.
 *
 * <p>The first probe runs at a random offset within the first interval, so that a thousand endpoints added at once
 * are not probed in lockstep. Each next probe is scheduled when the previous one has finished, {@code interval ×
 * (1 ± jitterPercent % × random)} later: probes of one target never overlap, and a slow backend is not probed faster
 * than the interval allows.
 *
 * <p>{@link #start} and {@link #stop} may be called from any thread (they post to the loop); everything else runs on
 * the target's loop.
 */
final class ProbeSchedule {
    private static final Logger log = LoggerFactory.getLogger(ProbeSchedule.class);

    private final ProbeTarget target;
    private final EventLoop loop;
    private final Prober.Listener listener;
    private ScheduledFuture<?> next;
    private ProbeAttempt inFlight;
    private boolean stopped;

    ProbeSchedule(ProbeTarget target, EventLoop loop, Prober.Listener listener) {
        this.target = target;
        this.loop = loop;
        this.listener = listener;
    }

    ProbeTarget target() {
        return target;
    }

    void start() {
        onLoop(() -> scheduleIn(firstDelayNanos(target.check(), ThreadLocalRandom.current().nextDouble())));
    }

    /** Cancels the next probe and aborts the one in flight, closing its connection; no result is reported after. */
    void stop() {
        onLoop(() -> {
            stopped = true;
            if (next != null) {
                next.cancel(false);
                next = null;
            }
            if (inFlight != null) {
                inFlight.abort();
                inFlight = null;
            }
        });
    }

    private void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // The loop is shutting down: its timers and channels end with it, so there is nothing left to stop.
        }
    }

    private void scheduleIn(long delayNanos) {
        if (!stopped) {
            next = loop.schedule(this::probe, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void probe() {
        next = null;
        if (stopped) {
            return;
        }
        ProbeAttempt attempt = new ProbeAttempt(target, loop, this::finished);
        inFlight = attempt; // before start(): a probe that fails at once finishes inside it
        attempt.start();
    }

    private void finished(ProbeResult result) {
        inFlight = null;
        if (stopped) {
            return;
        }
        if (log.isDebugEnabled() && !result.passed()) {
            log.debug("event=probe_failed target=\"{}\" detail=\"{}\"", target, result.detail());
        }
        try {
            listener.onResult(target, result);
        } catch (RuntimeException e) {
            log.warn("event=health_listener_failed target=\"{}\"", target, e);
        }
        if (target.record(result)) {
            // The listener logs the change once per service that uses the target, with the service named.
            log.debug("event=health_changed target=\"{}\" healthy={} detail=\"{}\"", target, result.passed(),
                    result.detail());
            try {
                listener.onTransition(target, result.passed(), result);
            } catch (RuntimeException e) {
                log.warn("event=health_listener_failed target=\"{}\"", target, e);
            }
        }
        scheduleIn(nextDelayNanos(target.check(), ThreadLocalRandom.current().nextDouble()));
    }

    /** The first probe's delay for {@code random} in [0, 1): anywhere within the first interval. */
    static long firstDelayNanos(HealthCheck check, double random) {
        return (long) (check.interval().toNanos() * random);
    }

    /** The delay between two probes for {@code random} in [0, 1): the interval, stretched or shrunk by the jitter. */
    static long nextDelayNanos(HealthCheck check, double random) {
        double jitter = check.jitterPercent() / 100.0 * (2 * random - 1);
        return (long) (check.interval().toNanos() * (1 + jitter));
    }
}
