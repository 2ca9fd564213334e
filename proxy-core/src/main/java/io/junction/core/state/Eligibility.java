package io.junction.core.state;

import io.junction.core.model.Endpoint;
import io.junction.core.model.ServiceKey;

import java.util.ArrayList;
import java.util.List;

/**
 * Which endpoints may take new connections: discovery's conditions combined with the health verdict. With Kubernetes
 * semantics, the endpoints that are ready, not terminating and healthy; when there are none, the healthy terminating
 * ones that are still serving (KEP-1669: a rolling update whose last pods are all terminating keeps
 * serving instead of black-holing traffic). Stateless.
 */
public final class Eligibility {
    static final String ELIGIBLE = "eligible";
    static final String LAST_RESORT = "eligible (serving, and no ready endpoint is left)";

    private Eligibility() {
    }

    /** Every endpoint of {@code service} with its verdict, in the given order. */
    public static List<EndpointStatus> evaluate(ServiceKey service, List<Endpoint> endpoints, HealthVerdicts health) {
        List<EndpointStatus> out = new ArrayList<>(endpoints.size());
        String[] unhealthy = new String[endpoints.size()];
        boolean anyReady = false;
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint e = endpoints.get(i);
            unhealthy[i] = health.unhealthyReason(service, e);
            anyReady |= e.ready() && !e.terminating() && unhealthy[i] == null;
        }
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint e = endpoints.get(i);
            out.add(verdict(e, unhealthy[i], anyReady));
        }
        return out;
    }

    /** The endpoints of {@code statuses} that are eligible, in order. */
    public static List<Endpoint> eligible(List<EndpointStatus> statuses) {
        List<Endpoint> out = new ArrayList<>(statuses.size());
        for (EndpointStatus s : statuses) {
            if (s.eligible()) {
                out.add(s.endpoint());
            }
        }
        return out;
    }

    private static EndpointStatus verdict(Endpoint e, String unhealthy, boolean anyReady) {
        if (e.ready() && !e.terminating()) {
            return unhealthy == null ? new EndpointStatus(e, true, ELIGIBLE) : new EndpointStatus(e, false, unhealthy);
        }
        // Only a terminating endpoint that still serves is a last resort; one that is merely not ready is not.
        if (!e.terminating()) {
            return new EndpointStatus(e, false, "not ready");
        }
        if (!e.serving()) {
            return new EndpointStatus(e, false, "terminating");
        }
        if (unhealthy != null) {
            return new EndpointStatus(e, false, "terminating; " + unhealthy);
        }
        return anyReady ? new EndpointStatus(e, false, "terminating (used only when no ready endpoint is left)")
                : new EndpointStatus(e, true, LAST_RESORT);
    }
}
