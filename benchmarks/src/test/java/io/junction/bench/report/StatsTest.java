package io.junction.bench.report;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class StatsTest {
    @Test
    void medianOfOddAndEvenCountsIgnoringNaN() {
        assertThat(Stats.median(3, 1, 2)).isEqualTo(2);
        assertThat(Stats.median(4, 1, 3, 2)).isEqualTo(2.5);
        assertThat(Stats.median(5, Double.NaN, 1)).isEqualTo(3);
        assertThat(Stats.median()).isNaN();
        assertThat(Stats.median(Double.NaN)).isNaN();
    }

    @Test
    void ratioIsNaNWithoutAPositiveBase() {
        assertThat(Stats.ratio(50, 100)).isEqualTo(0.5);
        assertThat(Stats.ratio(50, 0)).isNaN();
        assertThat(Stats.ratio(Double.NaN, 100)).isNaN();
        assertThat(Stats.ratio(50, Double.NaN)).isNaN();
    }

    @Test
    void percentilesAreReportedInMicroseconds() {
        Histogram h = new Histogram(60_000_000_000L, 3);
        for (int i = 1; i <= 100; i++) {
            h.recordValue(i * 1000L); // 1..100 µs in ns
        }
        assertThat(Stats.percentileMicros(h, 50)).isCloseTo(50, within(0.1));
        assertThat(Stats.maxMicros(h)).isCloseTo(100, within(0.1));
        assertThat(Stats.percentileMicros(new Histogram(3), 50)).isNaN();
    }
}
