package io.junction.core.metrics;

import java.util.Locale;

/**
 * Why a listener with {@code acceptProxyProtocol} closed a connection before reading any of its bytes as data: the
 * {@code reason} tag of {@code junction_proxy_protocol_rejected_total} and, prefixed with {@code proxy_protocol_}, of
 * the access log's {@code rejected} line. Immutable.
 */
public enum ProxyProtocolRejection {
    /** The peer is outside {@code trustedCidrs}: it could claim any client address, so it is not heard at all. */
    UNTRUSTED,
    /** What the peer sent is not a valid v1 or v2 header. */
    MALFORMED,
    /** The peer did not send a whole header within the timeout. */
    TIMEOUT;

    private final String tag = name().toLowerCase(Locale.ROOT);
    private final String accessLogReason = "proxy_protocol_" + tag;

    public String tag() {
        return tag;
    }

    /** The access log's {@code reason}: {@code proxy_protocol_untrusted} and so on. */
    public String accessLogReason() {
        return accessLogReason;
    }
}
