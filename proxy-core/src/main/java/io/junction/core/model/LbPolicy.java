package io.junction.core.model;

import java.util.Locale;

/** Load-balancing policy of a service; the config name is the lower-case, dash-separated form. Immutable. */
public enum LbPolicy {
    ROUND_ROBIN,
    RANDOM,
    /** Power of two random choices over live connection counts. */
    LEAST_CONNECTIONS,
    /** Smooth weighted round robin over endpoint weights. */
    WEIGHTED,
    /** Client-IP session affinity with an idle timeout, falling back to round robin. */
    CLIENT_IP,
    /** Maglev consistent hashing on the client IP: minimal disruption when endpoints come and go. */
    MAGLEV,
    /** Power of two random choices weighted by a peak EWMA of connect latency times outstanding connections. */
    PEAK_EWMA;

    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static LbPolicy parse(String value) {
        if (value != null) {
            for (LbPolicy p : values()) {
                if (p.configName().equals(value.trim().toLowerCase(Locale.ROOT))) {
                    return p;
                }
            }
        }
        StringBuilder expected = new StringBuilder();
        for (LbPolicy p : values()) {
            expected.append(expected.length() == 0 ? "" : ", ").append(p.configName());
        }
        throw new IllegalArgumentException("lb: " + value + " (expected one of: " + expected + ")");
    }
}
