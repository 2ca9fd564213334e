package io.junction.core.forward;

import io.junction.core.lb.Backend;
import io.junction.core.metrics.FailureReason;
import io.netty.channel.Channel;

/**
 * A proxied connection as the event loop that owns it keeps it: linked into that loop's {@link LoopConnections} from
 * accept to close, so the control plane can drain a removed backend's connections or close them all at shutdown by
 * posting one task to each loop. The links live in the connection itself, so keeping it costs no allocation and no
 * lock.
 *
 * <p>Event-loop confined: every method, and the links, are used only on the owning loop.
 */
public abstract class LiveConnection {
    LiveConnection previous;
    LiveConnection next;
    boolean linked;

    /** The backend it is bound to; null while it is still connecting. */
    protected abstract Backend backend();

    /** The channel facing the client (diagnostics; thread-safe to read). */
    public abstract Channel clientChannel();

    /** The channel facing the backend, or null while connecting (diagnostics; thread-safe to read). */
    public abstract Channel backendChannel();

    /**
     * The connection's state in one line, for diagnosing a transfer that stopped: each leg's activity, writability,
     * auto-read and queued bytes, and each direction's counters and half-close flags. Call on the owning loop.
     */
    public abstract String describe();

    /** Flushes what each side has queued, then closes both; counts {@code reason} when not null. */
    protected abstract void closeGracefully(FailureReason reason);

    /** Registers this connection with the current event loop's set. Call on the owning loop, once. */
    protected final void register() {
        LoopConnections.current().add(this);
    }

    /** Removes it from the loop's set (it ended). Call on the owning loop; idempotent. */
    protected final void unregister() {
        if (linked) {
            LoopConnections.current().remove(this);
        }
    }
}
