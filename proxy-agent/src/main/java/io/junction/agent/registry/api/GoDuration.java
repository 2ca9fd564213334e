package io.junction.agent.registry.api;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's duration syntax, as Consul's API takes and prints it: a sequence of decimal numbers with units {@code ns},
 * {@code us} ({@code µs}), {@code ms}, {@code s}, {@code m}, {@code h}, such as {@code 10s}, {@code 1m30s} or
 * {@code 1.5s}. Stateless.
 */
public final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");

    private GoDuration() {
    }

    /** The duration {@code text} denotes; throws {@link IllegalArgumentException} saying why it is not one. */
    public static Duration parse(String text) {
        String t = text.trim();
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        if (t.isEmpty() || t.length() > 64) {
            throw new IllegalArgumentException("not a duration such as 10s, 1m30s or 500ms");
        }
        Matcher m = PART.matcher(t);
        int at = 0;
        BigDecimal nanos = BigDecimal.ZERO;
        while (at < t.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("'" + text + "' is not a duration such as 10s, 1m30s or 500ms");
            }
            BigDecimal unit = switch (m.group(2)) {
                case "ns" -> BigDecimal.ONE;
                case "us", "µs", "μs" -> BigDecimal.valueOf(1_000);
                case "ms" -> BigDecimal.valueOf(1_000_000);
                case "s" -> BigDecimal.valueOf(1_000_000_000);
                case "m" -> BigDecimal.valueOf(60_000_000_000L);
                default -> BigDecimal.valueOf(3_600_000_000_000L);
            };
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(unit));
            at = m.end();
        }
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too long");
        }
        return Duration.ofNanos(nanos.longValue());
    }

    /** {@code d} in Go's syntax, in the largest of ms or s that is exact ({@code 10s}, {@code 1500ms}). */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (Duration.ofMillis(ms).equals(d)) {
            return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
        }
        return d.toNanos() + "ns";
    }
}
