package io.junction.bench.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;

/**
 * Parses {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 1m} (or ISO-8601 such as {@code PT2S}). Thread-safe.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        String v = value.trim().toLowerCase();
        try {
            if (v.startsWith("pt")) {
                return Duration.parse(value.trim());
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            }
            if (v.endsWith("m")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 60_000));
            }
        } catch (RuntimeException e) {
            throw new TypeConversionException("duration: " + value + " (expected: e.g. 500ms, 2s, 1.5s, 1m)");
        }
        throw new TypeConversionException("duration: " + value + " (expected: e.g. 500ms, 2s, 1.5s, 1m)");
    }
}
