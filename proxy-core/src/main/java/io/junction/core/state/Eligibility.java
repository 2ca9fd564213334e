package io.junction.core.state;

import io.junction.core.model.Endpoint;

import java.util.ArrayList;
import java.util.List;

/**
 * Which endpoints may take new connections, with Kubernetes semantics: ready endpoints that are not terminating;
 * when there are none, endpoints that are still serving while terminating (KEP-1669: a rolling update whose last pods
 * are all terminating keeps serving instead of black-holing traffic). Stateless.
 */
public final class Eligibility {
    private Eligibility() {
    }

    public static List<Endpoint> eligible(List<Endpoint> endpoints) {
        List<Endpoint> ready = new ArrayList<>(endpoints.size());
        for (Endpoint e : endpoints) {
            if (e.ready() && !e.terminating()) {
                ready.add(e);
            }
        }
        if (!ready.isEmpty()) {
            return ready;
        }
        List<Endpoint> serving = new ArrayList<>();
        for (Endpoint e : endpoints) {
            if (e.serving()) {
                serving.add(e);
            }
        }
        return serving;
    }
}
