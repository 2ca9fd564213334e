package io.junction.core.lb;

import io.junction.core.model.ServiceSpec;

import java.util.List;
import java.util.Objects;

/**
 * Builds the picker of a service's policy. Called by the control thread whenever a service's eligible backends or
 * spec change; {@code previous} (the picker being replaced, possibly null) lets a policy carry state across
 * rebuilds: client-ip passes its affinity table on, so clients keep their backends when unrelated endpoints change,
 * and maglev reuses its lookup table when the set of addresses is unchanged.
 *
 * <p>Stateless; thread-safe.
 */
public final class Pickers {
    private Pickers() {
    }

    /**
     * The picker of {@code spec.lb()} over {@code eligible} (in the given order). Returns {@link Picker#EMPTY} for no
     * backends, except for client-ip, whose picker then finds nothing but keeps the affinity table for the next one.
     */
    public static Picker create(ServiceSpec spec, List<Backend> eligible, Picker previous) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(eligible, "eligible");
        switch (spec.lb()) {
            case CLIENT_IP: {
                AffinityTable table = previous instanceof ClientIpPicker p ? p.table() : new AffinityTable();
                return new ClientIpPicker(eligible, spec.affinityTimeout(), table);
            }
            case ROUND_ROBIN:
                return eligible.isEmpty() ? Picker.EMPTY : new RoundRobinPicker(eligible);
            case RANDOM:
                return eligible.isEmpty() ? Picker.EMPTY : new RandomPicker(eligible);
            case LEAST_CONNECTIONS:
                return eligible.isEmpty() ? Picker.EMPTY : new LeastConnectionsPicker(eligible);
            case WEIGHTED:
                return eligible.isEmpty() ? Picker.EMPTY : new WeightedPicker(eligible);
            case MAGLEV:
                return eligible.isEmpty() ? Picker.EMPTY : new MaglevPicker(eligible, previous);
            case PEAK_EWMA:
                return eligible.isEmpty() ? Picker.EMPTY : new PeakEwmaPicker(eligible);
            default:
                throw new IllegalArgumentException("lb: " + spec.lb() + " (expected: a known policy)");
        }
    }

    /**
     * Control thread: expires idle affinity entries if {@code picker} keeps any; returns how many it removed. Cheap
     * to call periodically for every service (a no-op for policies without state).
     */
    public static int expireStale(Picker picker) {
        return picker instanceof ClientIpPicker p ? p.expireStale() : 0;
    }
}
