package io.junction.core.metrics;

import java.util.Locale;

/**
 * Why a connection or datagram was not forwarded, or why the proxy closed a connection. Data, not free text: each
 * value is a metrics tag and an access-log field. Immutable.
 */
public enum FailureReason {
    /** The service had no eligible backend. */
    NO_HEALTHY_ENDPOINT,
    /** Every connect attempt failed (refused, unreachable or timed out). */
    CONNECT_FAILED,
    /** The listener's max-connections limit was reached. */
    CONNECTION_LIMIT,
    /** No byte moved in either direction for the idle timeout. */
    IDLE_TIMEOUT,
    /** The backend was removed and its drain timeout ran out. */
    DRAIN_TIMEOUT,
    /** The UDP session table was full. */
    SESSION_LIMIT,
    /** A datagram was larger than the configured maximum. */
    OVERSIZE_DATAGRAM,
    /** The backend answered a datagram with ICMP port unreachable. */
    BACKEND_UNREACHABLE,
    /** A datagram was dropped because its outgoing socket's send queue was full (UDP has no backpressure). */
    SEND_QUEUE_FULL;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
