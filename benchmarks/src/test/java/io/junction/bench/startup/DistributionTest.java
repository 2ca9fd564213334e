package io.junction.bench.startup;

import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class DistributionTest {
    @Test
    void tenRunsGiveTheNinthAsP90AndTheMeanOfTheMiddleTwoAsMedian() {
        Distribution d = Distribution.of(1000, 900, 800, 700, 600, 500, 400, 300, 200, 100);

        assertThat(d.count()).isEqualTo(10);
        assertThat(d.min()).isEqualTo(100);
        assertThat(d.median()).isEqualTo(550);
        assertThat(d.p90()).isEqualTo(900);
        assertThat(d.max()).isEqualTo(1000);
    }

    @Test
    void p90IsAlwaysAMeasuredValue() {
        double[] twenty = IntStream.rangeClosed(1, 20).asDoubleStream().toArray();
        assertThat(Distribution.of(twenty).p90()).isEqualTo(18);
        assertThat(Distribution.of(5, 7, 6).p90()).isEqualTo(7);
        assertThat(Distribution.of(42).p90()).isEqualTo(42);
        assertThat(Distribution.of(42).median()).isEqualTo(42);
    }

    @Test
    void missingValuesAreLeftOut() {
        Distribution d = Distribution.of(Double.NaN, 3, 1, Double.NaN, 2);
        assertThat(d.count()).isEqualTo(3);
        assertThat(d.median()).isEqualTo(2);

        Distribution none = Distribution.of(Double.NaN);
        assertThat(none.count()).isZero();
        assertThat(none.median()).isNaN();
        assertThat(none.p90()).isNaN();
    }
}
