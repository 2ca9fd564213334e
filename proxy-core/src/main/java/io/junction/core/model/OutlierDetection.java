package io.junction.core.model;

import java.time.Duration;
import java.util.Objects;

/**
 * Passive health: an endpoint whose real connections keep failing is ejected from picking for a while, then lets a
 * few connections through to test its recovery (a circuit breaker per endpoint). Defaults follow Envoy's outlier
 * detection (5 consecutive local-origin failures, 30 s base ejection); an ICMP port unreachable answering a UDP
 * datagram is the kernel saying that nothing listens, so one is enough. Immutable.
 *
 * @param consecutiveFailures    TCP connects in a row that fail (refused, reset or timed out) before the endpoint is
 *                               ejected; 0 turns passive detection off for TCP
 * @param consecutiveUnreachable ICMP port unreachable answers in a row before a UDP endpoint is ejected; 0 turns it
 *                               off for UDP
 * @param ejectionTime           how long an ejected endpoint stays out before it is tested again
 * @param halfOpenConnections    connections let through to test an endpoint after its ejection (new connections go
 *                               elsewhere meanwhile); it returns unless every one of them fails, else it is ejected
 *                               again
 */
public record OutlierDetection(int consecutiveFailures, int consecutiveUnreachable, Duration ejectionTime,
                               int halfOpenConnections) {

    public static final OutlierDetection DEFAULTS = new OutlierDetection(5, 1, Duration.ofSeconds(30), 1);

    /** Passive detection off for both protocols. */
    public static final OutlierDetection OFF = new OutlierDetection(0, 0, Duration.ofSeconds(30), 1);

    public OutlierDetection {
        Objects.requireNonNull(ejectionTime, "ejectionTime");
        Checks.range("consecutiveFailures", consecutiveFailures, 0, 1000);
        Checks.range("consecutiveUnreachable", consecutiveUnreachable, 0, 1000);
        Checks.positive("ejectionTime", ejectionTime);
        Checks.range("halfOpenConnections", halfOpenConnections, 1, 1000);
    }

    /** The failures in a row that eject an endpoint of a {@code protocol} service; 0 when off. */
    public int threshold(Protocol protocol) {
        return protocol == Protocol.UDP ? consecutiveUnreachable : consecutiveFailures;
    }

    public OutlierDetection withConsecutiveFailures(int value) {
        return new OutlierDetection(value, consecutiveUnreachable, ejectionTime, halfOpenConnections);
    }

    public OutlierDetection withConsecutiveUnreachable(int value) {
        return new OutlierDetection(consecutiveFailures, value, ejectionTime, halfOpenConnections);
    }

    public OutlierDetection withEjectionTime(Duration value) {
        return new OutlierDetection(consecutiveFailures, consecutiveUnreachable, value, halfOpenConnections);
    }

    public OutlierDetection withHalfOpenConnections(int value) {
        return new OutlierDetection(consecutiveFailures, consecutiveUnreachable, ejectionTime, value);
    }
}
