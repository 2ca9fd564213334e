package io.junction.core.state;

/**
 * Whether the proxy is ready to serve, and if not, why, in one sentence: {@code /readyz}, {@code /api/status} and the
 * status page all show this one value, so they cannot disagree. Immutable.
 *
 * @param ready  every source synced, every listener bound, not shutting down
 * @param reason why not (empty when ready)
 */
public record Readiness(boolean ready, String reason) {
    static final Readiness READY = new Readiness(true, "");

    static Readiness notReady(String reason) {
        return new Readiness(false, reason);
    }
}
