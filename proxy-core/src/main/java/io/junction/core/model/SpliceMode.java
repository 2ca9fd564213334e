package io.junction.core.model;

import java.util.Locale;

/**
 * Whether a TCP service forwards bytes with {@code splice(2)} through a kernel pipe (zero copy) instead of reading
 * them into buffers. The config name is the lower-case form. Immutable.
 */
public enum SpliceMode {
    /** Always the buffer relay. */
    OFF,
    /** Both directions are spliced from the moment the backend connects (native epoll transport only). */
    ON,
    /**
     * Each direction starts on the buffer relay and switches to splice once it looks like a bulk stream: one read
     * batch of at least {@link #AUTO_BATCH_BYTES} or {@link #AUTO_TOTAL_BYTES} in total (native epoll only).
     */
    AUTO;

    /** Bytes read in one event-loop wake-up that make {@link #AUTO} switch a direction to splice. */
    public static final int AUTO_BATCH_BYTES = 64 * 1024;
    /** Bytes moved in one direction that make {@link #AUTO} switch it to splice. */
    public static final long AUTO_TOTAL_BYTES = 1024 * 1024;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code off}, {@code on} or {@code auto} (case-insensitive, surrounding blanks ignored). */
    public static SpliceMode parse(String value) {
        if (value != null) {
            for (SpliceMode m : values()) {
                if (m.configName().equals(value.trim().toLowerCase(Locale.ROOT))) {
                    return m;
                }
            }
        }
        throw new IllegalArgumentException("splice: " + value + " (expected one of: off, on, auto)");
    }
}
