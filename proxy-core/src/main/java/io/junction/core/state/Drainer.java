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
 * Schedules the drain of backends that left the data path. They get no new connection from the moment they leave
 * the picker; their live connections may run for the service's {@code drainTimeout} and are then closed through the
 * {@link ConnectionDrain} (a zero timeout lets them end by themselves).
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

    /** {@code removed} (already marked removed) left {@code handle}'s service: drain them by its current spec. */
    void drain(ServiceHandle handle, List<Backend> removed) {
        if (removed.isEmpty()) {
            return;
        }
        Duration timeout = handle.current().spec().tcp().drainTimeout();
        for (Backend b : removed) {
            log.info("service={} backend={} state=draining connections={} drain_timeout={}", handle.key(), b,
                    b.activeConnections(), timeout.isZero() ? "none" : timeout);
        }
        if (timeout.isZero()) {
            return;
        }
        Set<Backend> backends = Collections.newSetFromMap(new IdentityHashMap<>());
        backends.addAll(removed);
        control.schedule(() -> connections.closeGracefully(backends, FailureReason.DRAIN_TIMEOUT),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
