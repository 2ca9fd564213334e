package io.junction.core.model;

import java.time.Duration;
import java.util.Objects;

/**
 * UDP forwarding settings of one service. Immutable.
 *
 * @param sessionIdleTimeout a client session with no datagram in either direction for this long is removed
 * @param maxSessions        sessions per service; datagrams from further clients are dropped and counted
 * @param maxDatagramSize    larger datagrams are dropped and counted, never truncated
 */
public record UdpSettings(Duration sessionIdleTimeout, int maxSessions, int maxDatagramSize) {

    public static final int MAX_UDP_PAYLOAD = 65_507;

    public static final UdpSettings DEFAULTS = new UdpSettings(Duration.ofSeconds(30), 10_000, MAX_UDP_PAYLOAD);

    public UdpSettings {
        Objects.requireNonNull(sessionIdleTimeout, "sessionIdleTimeout");
        Checks.positive("sessionIdleTimeout", sessionIdleTimeout);
        Checks.range("maxSessions", maxSessions, 1, 10_000_000);
        Checks.range("maxDatagramSize", maxDatagramSize, 1, MAX_UDP_PAYLOAD);
    }

    public UdpSettings withSessionIdleTimeout(Duration value) {
        return new UdpSettings(value, maxSessions, maxDatagramSize);
    }

    public UdpSettings withMaxSessions(int value) {
        return new UdpSettings(sessionIdleTimeout, value, maxDatagramSize);
    }

    public UdpSettings withMaxDatagramSize(int value) {
        return new UdpSettings(sessionIdleTimeout, maxSessions, value);
    }
}
