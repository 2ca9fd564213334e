package io.junction.reliability.frame;

import java.util.Locale;

/**
 * One measured figure of a scenario next to its threshold, e.g. "failed connects = 0 (threshold = 0)". Immutable.
 *
 * @param name      what was measured, in words
 * @param measured  the value measured
 * @param unit      its unit ("ms", "connections", "" for a count)
 * @param bound     how the value must compare with the threshold
 * @param threshold the pass figure the issue gives, at this run's size
 */
public record Figure(String name, double measured, String unit, Bound bound, double threshold) {

    /** How a measured value must relate to its threshold. */
    public enum Bound {
        AT_MOST("≤"), AT_LEAST("≥"), EXACTLY("=");

        private final String symbol;

        Bound(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    public boolean pass() {
        return switch (bound) {
            case AT_MOST -> measured <= threshold;
            case AT_LEAST -> measured >= threshold;
            case EXACTLY -> measured == threshold;
        };
    }

    /** "name: measured unit (≤ threshold unit)". */
    public String describe() {
        return name + ": " + format(measured) + unitSuffix() + " (" + bound.symbol() + " " + format(threshold)
                + unitSuffix() + ")";
    }

    /** A value as written in the report: integers without a fraction, others with up to three decimals. */
    public static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.3f", v).replaceAll("0+$", "");
    }

    private String unitSuffix() {
        return unit.isEmpty() ? "" : " " + unit;
    }
}
