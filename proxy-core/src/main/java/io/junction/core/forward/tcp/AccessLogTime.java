package io.junction.core.forward.tcp;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes the wall-clock time of an access-log line, {@code 2026-12-05T00:10:57.123Z}, formatting the date and second
 * once per second and only the milliseconds per line. Not thread-safe: one per event loop.
 */
final class AccessLogTime {
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private long second = Long.MIN_VALUE;
    private String secondText = "";

    void appendNow(StringBuilder b) {
        append(b, System.currentTimeMillis());
    }

    void append(StringBuilder b, long epochMillis) {
        long s = Math.floorDiv(epochMillis, 1000);
        if (s != second) {
            second = s;
            secondText = SECOND.format(Instant.ofEpochSecond(s));
        }
        int millis = Math.floorMod(epochMillis, 1000);
        b.append(secondText).append('.');
        if (millis < 100) {
            b.append('0');
        }
        if (millis < 10) {
            b.append('0');
        }
        b.append(millis).append('Z');
    }
}
