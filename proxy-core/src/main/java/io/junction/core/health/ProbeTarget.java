package io.junction.core.health;

import io.junction.core.model.HealthCheck;
import io.junction.core.model.HostPort;

import java.net.InetSocketAddress;

/**
 * One probed (check, address) pair and what its probes have shown: the verdict, the last result and pass/fail
 * totals. Every service that shares the endpoint with an equal check shares this object (see {@link Prober}).
 *
 * <p>The verdict flips to unhealthy after {@code unhealthyThreshold} consecutive failures and back after
 * {@code healthyThreshold} consecutive passes; a result that agrees with the verdict resets the streak against it.
 * A target that starts unhealthy has not failed yet, it is only unproven: its first pass makes it healthy at once (as
 * Envoy treats a new host's first check), while a failure first makes it a proven failure needing the full
 * {@code healthyThreshold}.
 *
 * <p>Thread-safe to read from any thread (volatile fields); written only by the event loop that probes it.
 */
public final class ProbeTarget {
    private final HealthCheck check;
    private final InetSocketAddress address;

    private volatile boolean healthy;
    private volatile ProbeResult lastResult;
    // Single writer (the target's loop), so a plain increment of a volatile is safe; readers see whole values.
    private volatile long passes;
    private volatile long failures;

    /** Consecutive results that disagree with the verdict. Loop-confined. */
    private int streak;
    /** Started unhealthy and not probed yet. Loop-confined. */
    private boolean unproven;

    ProbeTarget(HealthCheck check, InetSocketAddress address, boolean startHealthy) {
        this.check = check;
        this.address = address;
        this.healthy = startHealthy;
        this.unproven = !startHealthy;
    }

    public HealthCheck check() {
        return check;
    }

    /** The address probed: the endpoint's IP with the check's port (or the endpoint's own port). */
    public InetSocketAddress address() {
        return address;
    }

    /** The current verdict. */
    public boolean healthy() {
        return healthy;
    }

    /** The latest probe's result; null until the first probe has finished. */
    public ProbeResult lastResult() {
        return lastResult;
    }

    /** Probes passed since the target was created. */
    public long passes() {
        return passes;
    }

    /** Probes failed since the target was created. */
    public long failures() {
        return failures;
    }

    /** Loop: counts {@code result} in; true when it flipped the verdict. */
    boolean record(ProbeResult result) {
        lastResult = result;
        if (result.passed()) {
            passes++;
        } else {
            failures++;
        }
        boolean wasUnproven = unproven;
        unproven = false;
        if (result.passed() == healthy) {
            streak = 0;
            return false;
        }
        streak++;
        int threshold = healthy ? check.unhealthyThreshold() : check.healthyThreshold();
        if (streak < threshold && !(wasUnproven && result.passed())) {
            return false;
        }
        streak = 0;
        healthy = result.passed();
        return true;
    }

    @Override
    public String toString() {
        String where = HostPort.format(address);
        return check.type().configName() + ' ' + (check.type() == HealthCheck.Type.HTTP ? where + check.path() : where);
    }
}
