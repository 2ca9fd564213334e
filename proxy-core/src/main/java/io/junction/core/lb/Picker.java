package io.junction.core.lb;

/**
 * Chooses a backend for one connection or UDP session. A picker is built by the control thread over an immutable
 * array of eligible backends and published inside a service snapshot; event loops call {@link #pick} concurrently.
 *
 * <p>Contract (as gRPC's {@code SubchannelPicker}): thread-safe, never blocks, takes no lock and allocates nothing
 * on the hit path. It prefers backends the context has not tried; it may return a tried one only when nothing else is
 * left, and never {@link PickContext#lastTried()} when any other backend exists. It returns only a backend that
 * {@linkplain Backend#admits() admits} the connection, and asks that of no other (an admission may use up a
 * recovering backend's test permit): a backend that is full or out of test permits hands the connection to the next
 * candidate. It honours {@linkplain Backend#beginSlowStart slow start} as each policy's javadoc describes. A retry
 * never moves state that new connections' picks depend on (a shared cursor), so a dead backend's retries do not steer
 * new connections back to it.
 */
@FunctionalInterface
public interface Picker {

    /**
     * The chosen backend, or {@code null} when the service has no eligible backend or none admits the connection
     * (the caller treats both as "no endpoint available").
     */
    Backend pick(PickContext context);

    /** A picker that never finds a backend. */
    Picker EMPTY = context -> null;
}
