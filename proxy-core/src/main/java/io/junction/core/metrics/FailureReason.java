package io.junction.core.metrics;

import io.junction.core.model.Protocol;

import java.util.Locale;

/**
 * Why a connection or datagram was not forwarded, or why the proxy closed a connection. Data, not free text: each
 * value is a metrics tag and an access-log field. Immutable.
 */
public enum FailureReason {
    /** The service had no eligible backend. */
    NO_HEALTHY_ENDPOINT(true, true),
    /**
     * Every eligible backend refused the connection: at its {@code maxConnectionsPerEndpoint}, or recovering from an
     * ejection with its test connections taken.
     */
    ENDPOINTS_BUSY(true, true),
    /** Every connect attempt failed (refused, unreachable or timed out); for UDP, the backend socket failed. */
    CONNECT_FAILED(true, true),
    /** A connect failed and the service's retry budget allowed no retry. */
    RETRY_BUDGET_EXHAUSTED(true, false),
    /** The listener's max-connections limit was reached. */
    CONNECTION_LIMIT(true, false),
    /**
     * The node's descriptor budget was full (refused at once so that the descriptors kept in reserve stay free), or
     * an accept failed because the process ran out of descriptors (EMFILE, ENFILE).
     */
    DESCRIPTOR_LIMIT(true, false),
    /** The client's source address opened connections faster than the service's {@code connectionRateLimit}. */
    RATE_LIMITED(true, false),
    /** No byte moved in either direction for the idle timeout. */
    IDLE_TIMEOUT(true, false),
    /** The backend was removed and its drain timeout ran out. */
    DRAIN_TIMEOUT(true, false),
    /** The UDP session table was full. */
    SESSION_LIMIT(false, true),
    /** A datagram was larger than the configured maximum. */
    OVERSIZE_DATAGRAM(false, true),
    /** The backend answered a datagram with ICMP port unreachable. */
    BACKEND_UNREACHABLE(false, true),
    /** A datagram was dropped because its outgoing socket's send queue was full (UDP has no backpressure). */
    SEND_QUEUE_FULL(false, true);

    private final boolean tcp;
    private final boolean udp;

    FailureReason(boolean tcp, boolean udp) {
        this.tcp = tcp;
        this.udp = udp;
    }

    /** Whether a service of {@code protocol} can fail this way (only those are exported for it). */
    public boolean appliesTo(Protocol protocol) {
        return protocol == Protocol.TCP ? tcp : udp;
    }

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
