package io.junction.agent.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The config's byte-size syntax: a plain integer (bytes) or a number with a binary unit, {@code B}, {@code KiB},
 * {@code MiB} or {@code GiB} (case-insensitive), such as {@code 32KiB}. Decimal units (KB, MB) are refused on purpose:
 * whether they mean 1000 or 1024 is ambiguous. Stateless and thread-safe.
 */
final class SizeFormat {
    static final String EXPECTED = "expected bytes or a size such as 32KiB, 1MiB";

    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(b|kib|mib|gib)?");

    private SizeFormat() {
    }

    /** The byte count {@code text} denotes, or -1 when it is not valid syntax. */
    static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return -1;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        int shift = switch (unit) {
            case "kib" -> 10;
            case "mib" -> 20;
            case "gib" -> 30;
            default -> 0;
        };
        // 12 digits shifted by 30 bits would overflow a long; such sizes are out of range anyway.
        return n > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : n << shift;
    }
}
