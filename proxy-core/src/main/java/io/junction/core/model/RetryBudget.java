package io.junction.core.model;

/**
 * How many connect retries a service may make, so that a wide outage does not multiply the load on what is left
 * (Envoy's and Finagle's retry budget): retries in flight may not exceed {@code percent} of the connections being
 * connected, with {@code minConcurrent} always allowed so a quiet service can still retry. Immutable.
 *
 * @param percent       retries allowed as a share of the service's connections being connected, 0..100
 * @param minConcurrent retries always allowed at once, whatever the share says
 */
public record RetryBudget(int percent, int minConcurrent) {

    public static final RetryBudget DEFAULTS = new RetryBudget(20, 3);

    public RetryBudget {
        Checks.range("percent", percent, 0, 100);
        Checks.range("minConcurrent", minConcurrent, 0, 1_000_000);
    }

    /** Whether one more retry fits when {@code retrying} retries and {@code connecting} connects are in flight. */
    public boolean allows(int retrying, int connecting) {
        return retrying < minConcurrent || retrying * 100L < (long) percent * connecting;
    }
}
