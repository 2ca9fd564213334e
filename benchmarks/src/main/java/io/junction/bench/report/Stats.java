package io.junction.bench.report;

import org.HdrHistogram.Histogram;

import java.util.Arrays;

/**
 * Small pure statistics helpers; NaN stands for "no value" throughout. Thread-safe (stateless).
 */
public final class Stats {
    private Stats() {
    }

    /** Median of the non-NaN values (mean of the middle two for an even count), or NaN when there is none. */
    public static double median(double... values) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }

    public static double min(double... values) {
        return Arrays.stream(values).filter(d -> !Double.isNaN(d)).min().orElse(Double.NaN);
    }

    public static double max(double... values) {
        return Arrays.stream(values).filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
    }

    /** {@code value / base}, or NaN when either is missing or the base is not positive. */
    public static double ratio(double value, double base) {
        if (Double.isNaN(value) || Double.isNaN(base) || base <= 0) {
            return Double.NaN;
        }
        return value / base;
    }

    /** A percentile of a nanosecond histogram, in microseconds; NaN when the histogram is empty. */
    public static double percentileMicros(Histogram h, double percentile) {
        if (h == null || h.getTotalCount() == 0) {
            return Double.NaN;
        }
        return h.getValueAtPercentile(percentile) / 1000.0;
    }

    public static double maxMicros(Histogram h) {
        if (h == null || h.getTotalCount() == 0) {
            return Double.NaN;
        }
        return h.getMaxValue() / 1000.0;
    }
}
