package io.junction.core.model;

import java.time.Duration;
import java.util.Objects;

/**
 * How this node judges and protects a service's endpoints: the active check, passive outlier detection, the panic
 * threshold, slow start, the per-endpoint connection cap and the retry budget. Immutable.
 *
 * @param check                     the active health check ({@link HealthCheck#NONE} for none)
 * @param outlier                   passive outlier detection
 * @param panicThreshold            percent of endpoints that must be healthy; below it the service picks among all of
 *                                  its endpoints (Envoy's panic mode), 0 turning panic off
 * @param slowStart                 an endpoint that becomes healthy ramps its share of new connections up over this
 *                                  long (HAProxy's {@code slowstart}); {@link Duration#ZERO} for off
 * @param maxConnectionsPerEndpoint live connections (or UDP sessions) one endpoint takes before new ones try another;
 *                                  0 for no cap
 * @param retryBudget               how many connect retries the service may have in flight
 */
public record HealthSettings(HealthCheck check, OutlierDetection outlier, int panicThreshold, Duration slowStart,
                             int maxConnectionsPerEndpoint, RetryBudget retryBudget) {

    public static final Duration MAX_SLOW_START = Duration.ofHours(1);

    public static final HealthSettings DEFAULTS = new HealthSettings(HealthCheck.NONE, OutlierDetection.DEFAULTS, 50,
            Duration.ZERO, 0, RetryBudget.DEFAULTS);

    public HealthSettings {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(outlier, "outlier");
        Objects.requireNonNull(slowStart, "slowStart");
        Objects.requireNonNull(retryBudget, "retryBudget");
        Checks.range("panicThreshold", panicThreshold, 0, 100);
        Checks.notNegative("slowStart", slowStart);
        if (slowStart.compareTo(MAX_SLOW_START) > 0) {
            throw new IllegalArgumentException("slowStart: " + slowStart + " (expected: <= " + MAX_SLOW_START + ")");
        }
        Checks.range("maxConnectionsPerEndpoint", maxConnectionsPerEndpoint, 0, 10_000_000);
    }

    public HealthSettings withCheck(HealthCheck value) {
        return new HealthSettings(value, outlier, panicThreshold, slowStart, maxConnectionsPerEndpoint, retryBudget);
    }

    public HealthSettings withOutlier(OutlierDetection value) {
        return new HealthSettings(check, value, panicThreshold, slowStart, maxConnectionsPerEndpoint, retryBudget);
    }

    public HealthSettings withPanicThreshold(int value) {
        return new HealthSettings(check, outlier, value, slowStart, maxConnectionsPerEndpoint, retryBudget);
    }

    public HealthSettings withSlowStart(Duration value) {
        return new HealthSettings(check, outlier, panicThreshold, value, maxConnectionsPerEndpoint, retryBudget);
    }

    public HealthSettings withMaxConnectionsPerEndpoint(int value) {
        return new HealthSettings(check, outlier, panicThreshold, slowStart, value, retryBudget);
    }

    public HealthSettings withRetryBudget(RetryBudget value) {
        return new HealthSettings(check, outlier, panicThreshold, slowStart, maxConnectionsPerEndpoint, value);
    }
}
