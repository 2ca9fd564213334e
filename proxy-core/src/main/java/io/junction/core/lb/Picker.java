package io.junction.core.lb;

/**
 * Chooses a backend for one connection or UDP session. A picker is built by the control thread over an immutable
 * array of eligible backends and published inside a service snapshot; event loops call {@link #pick} concurrently.
 *
 * <p>Contract (as gRPC's {@code SubchannelPicker}): thread-safe, never blocks, takes no lock and allocates nothing
 * on the hit path. It prefers backends the context has not tried; it may return a tried one only when nothing else is
 * left, and never {@link PickContext#lastTried()} when any other backend exists.
 */
@FunctionalInterface
public interface Picker {

    /** The chosen backend, or {@code null} when the service has no eligible backend. */
    Backend pick(PickContext context);

    /** A picker that never finds a backend. */
    Picker EMPTY = context -> null;
}
