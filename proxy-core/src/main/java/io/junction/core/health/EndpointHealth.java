package io.junction.core.health;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.junction.core.model.HostPort;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The health of one endpoint of one service: its active check (a {@link ProbeTarget} that services probing the same
 * target share; null when the service has no check) and its passive outlier detector (null when outlier detection is
 * off). Immutable; what it points to is live, so every answer is the endpoint's health now.
 */
record EndpointHealth(InetSocketAddress address, ProbeTarget probe, OutlierDetector outlier) {

    boolean failingCheck() {
        return probe != null && !probe.healthy();
    }

    boolean breakerIn(CircuitBreaker.State state) {
        return outlier != null && outlier.state() == state;
    }

    /** Why picking skips the endpoint, in words; null when it is healthy. */
    String unhealthyReason() {
        String check = failingCheck() ? failedCheckWhy() : null;
        String ejected = outlier != null && outlier.ejected() ? ejectedWhy() : null;
        if (check == null) {
            return ejected;
        }
        return ejected == null ? check : check + "; " + ejected;
    }

    /** For the admin API: the check's state and last result, the breaker's state and when it last opened. */
    Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (probe != null) {
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("type", probe.check().type().configName());
            check.put("target", HostPort.format(probe.address()));
            check.put("healthy", probe.healthy());
            ProbeResult last = probe.lastResult();
            if (last != null) {
                check.put("lastResult", last.detail());
                check.put("lastProbeAt", last.at().toString());
            }
            out.put("check", check);
        }
        if (outlier != null) {
            Map<String, Object> breaker = new LinkedHashMap<>();
            breaker.put("state", OutlierDetector.stateName(outlier.state()));
            if (outlier.openedAt() != null) {
                breaker.put("lastOpenedAt", outlier.openedAt().toString());
            }
            out.put("breaker", breaker);
        }
        return out;
    }

    private String failedCheckWhy() {
        ProbeResult last = probe.lastResult();
        return "failed " + probe.check().type().configName() + " health check"
                + (last == null ? "" : " (" + last.detail() + " at " + last.at() + ")");
    }

    private String ejectedWhy() {
        String what = outlier.threshold() == 1 ? "1 failure" : outlier.threshold() + " failures in a row";
        return "ejected by outlier detection (" + what + ", since " + outlier.openedAt() + ")";
    }
}
