package io.junction.core.lb;

import io.junction.core.model.ServiceSpec;

import java.util.List;

/**
 * Builds the picker of a service's policy. Called by the control thread whenever a service's eligible backends or
 * spec change; {@code previous} (the picker being replaced, possibly null) lets a policy carry state across
 * rebuilds, such as client-ip affinity entries.
 */
public final class Pickers {
    private Pickers() {
    }

    public static Picker create(ServiceSpec spec, List<Backend> eligible, Picker previous) {
        if (eligible.isEmpty()) {
            return Picker.EMPTY;
        }
        switch (spec.lb()) {
            case ROUND_ROBIN:
                return new RoundRobinPicker(eligible);
            default:
                throw new IllegalArgumentException("lb: " + spec.lb() + " (not implemented)");
        }
    }

    /**
     * Every backend was tried already: retry one, but never the one that failed last when another exists.
     */
    static Backend fallback(Backend[] list, int start, PickContext context) {
        Backend last = context.lastTried();
        for (int i = 0; i < list.length; i++) {
            Backend b = list[(start + i) % list.length];
            if (b != last) {
                return b;
            }
        }
        return list[0];
    }
}
