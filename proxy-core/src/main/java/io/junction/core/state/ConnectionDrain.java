package io.junction.core.state;

import io.junction.core.lb.Backend;
import io.junction.core.metrics.FailureReason;

import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Closes live proxied connections on behalf of the control plane: those of removed backends when their drain timeout
 * runs out, and all of them at the end of a shutdown. Implemented by the forwarding layer, which keeps its live
 * connections per event loop; both calls return at once and the work runs on the loops.
 *
 * <p>Thread-safe.
 */
public interface ConnectionDrain {

    /** Nothing to close: for control planes without a forwarding layer (tests). */
    ConnectionDrain NONE = new ConnectionDrain() {
        @Override
        public void closeGracefully(Set<Backend> backends, FailureReason reason) {
        }

        @Override
        public CompletableFuture<Integer> closeAll() {
            return CompletableFuture.completedFuture(0);
        }
    };

    /**
     * Closes every live connection to one of {@code backends} once what each side has queued is written, counting
     * {@code reason} (null: none) once per connection.
     */
    void closeGracefully(Set<Backend> backends, FailureReason reason);

    /** Closes every live connection at once; completes with how many there were. */
    CompletableFuture<Integer> closeAll();
}
