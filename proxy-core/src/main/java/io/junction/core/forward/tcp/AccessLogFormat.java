package io.junction.core.forward.tcp;

import java.util.Locale;

/**
 * How the access log writes its lines ({@code proxy.accessLogFormat}). Whatever the format, the event loops format
 * every line the same way (the text form, into their batch); the writer thread renders a batch as JSON when asked, so
 * the JSON format costs the loops nothing more than the text one. Immutable.
 */
public enum AccessLogFormat {
    /** {@code 2026-12-05T00:10:57.123Z access service=... client=... backend=... ...}, one line per connection. */
    TEXT,
    /** One JSON object per line with the same fields plus {@code protocol} (JSON lines). */
    JSON;

    /** The spelling in the config file. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
