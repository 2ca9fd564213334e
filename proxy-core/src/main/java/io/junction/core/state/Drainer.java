package io.junction.core.state;

import io.junction.core.lb.Backend;
import io.junction.core.metrics.FailureReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Schedules the drain of backends that left the data path: removed from discovery, or turned terminating. They get
 * no new connection from the moment they leave the picker (a terminating one may stay as the last resort); their
 * live connections and UDP sessions may run for the service's {@code drainTimeout} and are then closed through the
 * {@link ConnectionDrain}, or moved (a zero timeout lets them end by themselves).
 *
 * <p>Control-thread only.
 */
final class Drainer {
    private static final Logger log = LoggerFactory.getLogger(Drainer.class);

    private final ConnectionDrain connections;
    private final ControlThread control;

    Drainer(ConnectionDrain connections, ControlThread control) {
        this.connections = connections;
        this.control = control;
    }

    /**
     * {@code leaving} left {@code handle}'s service (already marked removed) or turned terminating: drain them by its
     * current spec. At the deadline their TCP connections are closed and UDP sessions still on them move elsewhere.
     */
    void drain(ServiceHandle handle, List<Backend> leaving) {
        if (leaving.isEmpty()) {
            return;
        }
        Duration timeout = handle.current().spec().tcp().drainTimeout();
        for (Backend b : leaving) {
            log.info("service={} backend={} state=draining why={} connections={} drain_timeout={}", handle.key(), b,
                    b.isRemoved() ? "removed" : "terminating", b.activeConnections(),
                    timeout.isZero() ? "none" : timeout);
        }
        if (timeout.isZero()) {
            return;
        }
        Set<Backend> backends = Collections.newSetFromMap(new IdentityHashMap<>());
        backends.addAll(leaving);
        control.schedule(() -> {
            backends.forEach(Backend::markDrainExpired);
            connections.closeGracefully(backends, FailureReason.DRAIN_TIMEOUT);
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
