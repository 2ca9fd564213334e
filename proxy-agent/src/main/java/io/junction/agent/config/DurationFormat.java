package io.junction.agent.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The config's duration syntax: one or more {@code <digits><unit>} parts with units {@code ms, s, m, h, d}, such as
 * {@code 500ms}, {@code 2s}, {@code 1m30s}; {@code 0} alone means zero. Stateless and thread-safe.
 */
final class DurationFormat {
    static final String EXPECTED = "expected e.g. 500ms, 2s, 1m";

    private static final Pattern PART = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private DurationFormat() {
    }

    /** The duration {@code text} denotes, or null when it is not valid syntax. */
    static Duration parse(String text) {
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        if (text.isEmpty()) {
            return null;
        }
        Matcher m = PART.matcher(text);
        Duration total = Duration.ZERO;
        int pos = 0;
        while (pos < text.length()) {
            m.region(pos, text.length());
            if (!m.lookingAt()) {
                return null;
            }
            long n = Long.parseLong(m.group(1));
            Duration part = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            // At most 9 digits per part and a 1 MiB file cannot overflow Duration's seconds range.
            total = total.plus(part);
            pos = m.end();
        }
        return total;
    }

    /** Whether {@code text} is a plain whole number, which only needs a unit to be a duration. */
    static boolean isBareNumber(String text) {
        return text.matches("\\d+");
    }

    /** The shortest config form of {@code d}, for messages and docs. */
    static String format(Duration d) {
        if (d.isZero()) {
            return "0";
        }
        long ms = d.toMillis();
        StringBuilder sb = new StringBuilder();
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
        String[] units = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms >= sizes[i]) {
                sb.append(ms / sizes[i]).append(units[i]);
                ms %= sizes[i];
            }
        }
        return sb.toString();
    }
}
