package io.junction.core.state;

import io.junction.core.model.Endpoint;
import io.junction.core.model.ServiceKey;

import java.util.ArrayList;
import java.util.List;

/**
 * Which endpoints may take new connections: discovery's conditions combined with the health verdict. With Kubernetes
 * semantics, the endpoints that are ready, not terminating and healthy; when there are none, the healthy terminating
 * ones that are still serving (KEP-1669: a rolling update whose last pods are all terminating keeps
 * serving instead of black-holing traffic).
 *
 * <p>Panic (Envoy's panic threshold): when fewer than {@code panicThreshold} percent of the endpoints discovery calls
 * ready are healthy, the few healthy ones would take the whole load and likely fail next, and a health check that
 * fails everywhere at once is more often wrong than the endpoints are. So the service then picks among every ready
 * endpoint, healthy or not. Stateless.
 */
public final class Eligibility {
    static final String ELIGIBLE = "eligible";
    static final String LAST_RESORT = "eligible (serving, and no ready endpoint is left)";

    private Eligibility() {
    }

    /**
     * The verdict on every endpoint of a service.
     *
     * @param statuses every endpoint with its verdict, in the order given
     * @param panic    whether the service is in panic: too few healthy endpoints, so unhealthy ready ones are
     *                 eligible too
     * @param healthy  ready endpoints that are healthy
     * @param ready    endpoints discovery calls ready (and not terminating)
     */
    public record Verdicts(List<EndpointStatus> statuses, boolean panic, int healthy, int ready) {
        public Verdicts {
            statuses = List.copyOf(statuses);
        }
    }

    /** Every endpoint of {@code service} with its verdict, in the given order, without panic. */
    public static List<EndpointStatus> evaluate(ServiceKey service, List<Endpoint> endpoints, HealthVerdicts health) {
        return evaluate(service, endpoints, health, 0).statuses();
    }

    /**
     * Every endpoint of {@code service} with its verdict, in the given order, entering panic when fewer than
     * {@code panicThreshold} percent of the ready endpoints are healthy (0: never).
     */
    public static Verdicts evaluate(ServiceKey service, List<Endpoint> endpoints, HealthVerdicts health,
                                    int panicThreshold) {
        List<EndpointStatus> out = new ArrayList<>(endpoints.size());
        String[] unhealthy = new String[endpoints.size()];
        int ready = 0;
        int healthy = 0;
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint e = endpoints.get(i);
            unhealthy[i] = health.unhealthyReason(service, e);
            if (e.ready() && !e.terminating()) {
                ready++;
                if (unhealthy[i] == null) {
                    healthy++;
                }
            }
        }
        boolean panic = ready > 0 && healthy < ready && healthy * 100L < (long) panicThreshold * ready;
        String panicWhy = panic ? "eligible (panic: " + healthy + " of " + ready + " ready endpoints healthy, below "
                + panicThreshold + "%; " : null;
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint e = endpoints.get(i);
            if (panic && e.ready() && !e.terminating() && unhealthy[i] != null) {
                out.add(new EndpointStatus(e, true, panicWhy + unhealthy[i] + ")"));
            } else {
                out.add(verdict(e, unhealthy[i], healthy > 0 || panic));
            }
        }
        return new Verdicts(out, panic, healthy, ready);
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
