package io.junction.core.model;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * The active health check of a service's endpoints: what a probe does and how its results turn into a verdict. Two
 * services whose checks are equal and that share an endpoint have that endpoint probed once. Immutable.
 *
 * @param type               {@code none}, {@code tcp} (a connect that completes passes) or {@code http} (a
 *                           {@code GET path} whose status falls in {@code expectStatus})
 * @param path               HTTP request path, starting with '/'
 * @param expectStatusMin    lowest passing HTTP status
 * @param expectStatusMax    highest passing HTTP status
 * @param host               HTTP {@code Host} header; empty for the probed address
 * @param port               port to probe; 0 for the endpoint's own port (a UDP service names its TCP health port)
 * @param interval           time between two probes of one endpoint
 * @param timeout            a probe without an answer for this long fails
 * @param healthyThreshold   consecutive passes that make an unhealthy endpoint healthy again
 * @param unhealthyThreshold consecutive failures that make a healthy endpoint unhealthy
 * @param jitterPercent      each interval is shortened or lengthened by up to this share, at random, so that many
 *                           endpoints are not probed in lockstep
 */
public record HealthCheck(Type type, String path, int expectStatusMin, int expectStatusMax, String host, int port,
                          Duration interval, Duration timeout, int healthyThreshold, int unhealthyThreshold,
                          int jitterPercent) {

    /** What a probe does. The config name is the lower-case form. */
    public enum Type {
        NONE, TCP, HTTP;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    /** No active check: endpoints are judged by discovery and outlier detection alone. */
    public static final HealthCheck NONE = new HealthCheck(Type.NONE, "/healthz", 200, 399, "", 0, DEFAULT_INTERVAL,
            DEFAULT_TIMEOUT, 2, 3, 10);

    public HealthCheck {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path: " + path + " (expected: starting with '/')");
        }
        Checks.range("expectStatus", expectStatusMin, 100, 599);
        Checks.range("expectStatus", expectStatusMax, expectStatusMin, 599);
        Checks.range("port", port, 0, 65_535);
        Checks.positive("interval", interval);
        Checks.positive("timeout", timeout);
        Checks.range("healthyThreshold", healthyThreshold, 1, 100);
        Checks.range("unhealthyThreshold", unhealthyThreshold, 1, 100);
        Checks.range("jitter", jitterPercent, 0, 50);
    }

    /** A TCP check with every default. */
    public static HealthCheck tcp() {
        return NONE.withType(Type.TCP);
    }

    /** An HTTP check of {@code path} with every other default. */
    public static HealthCheck http(String path) {
        return NONE.withType(Type.HTTP).withPath(path);
    }

    public boolean enabled() {
        return type != Type.NONE;
    }

    /** The probed port of an endpoint listening on {@code endpointPort}. */
    public int portFor(int endpointPort) {
        return port == 0 ? endpointPort : port;
    }

    public boolean passes(int httpStatus) {
        return httpStatus >= expectStatusMin && httpStatus <= expectStatusMax;
    }

    public HealthCheck withType(Type value) {
        return new HealthCheck(value, path, expectStatusMin, expectStatusMax, host, port, interval, timeout,
                healthyThreshold, unhealthyThreshold, jitterPercent);
    }

    public HealthCheck withPath(String value) {
        return new HealthCheck(type, value, expectStatusMin, expectStatusMax, host, port, interval, timeout,
                healthyThreshold, unhealthyThreshold, jitterPercent);
    }

    public HealthCheck withExpectStatus(int min, int max) {
        return new HealthCheck(type, path, min, max, host, port, interval, timeout, healthyThreshold,
                unhealthyThreshold, jitterPercent);
    }

    public HealthCheck withHost(String value) {
        return new HealthCheck(type, path, expectStatusMin, expectStatusMax, value, port, interval, timeout,
                healthyThreshold, unhealthyThreshold, jitterPercent);
    }

    public HealthCheck withPort(int value) {
        return new HealthCheck(type, path, expectStatusMin, expectStatusMax, host, value, interval, timeout,
                healthyThreshold, unhealthyThreshold, jitterPercent);
    }

    public HealthCheck withInterval(Duration value) {
        return new HealthCheck(type, path, expectStatusMin, expectStatusMax, host, port, value, timeout,
                healthyThreshold, unhealthyThreshold, jitterPercent);
    }

    public HealthCheck withTimeout(Duration value) {
        return new HealthCheck(type, path, expectStatusMin, expectStatusMax, host, port, interval, value,
                healthyThreshold, unhealthyThreshold, jitterPercent);
    }

    public HealthCheck withThresholds(int healthy, int unhealthy) {
        return new HealthCheck(type, path, expectStatusMin, expectStatusMax, host, port, interval, timeout, healthy,
                unhealthy, jitterPercent);
    }

    public HealthCheck withJitterPercent(int value) {
        return new HealthCheck(type, path, expectStatusMin, expectStatusMax, host, port, interval, timeout,
                healthyThreshold, unhealthyThreshold, value);
    }
}
