package io.junction.bench.load;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The per-second counts of --from-start. */
class SecondBucketsTest {
    private static final long S = 1_000_000_000L;

    @Test
    void oneBucketPerStartedSecondOfTheWindow() {
        assertThat(SecondBuckets.bucketsFor(Duration.ofSeconds(30))).isEqualTo(30);
        assertThat(SecondBuckets.bucketsFor(Duration.ofMillis(10_500))).isEqualTo(11);
        assertThat(SecondBuckets.bucketsFor(Duration.ofMillis(200))).isEqualTo(1);
    }

    @Test
    void operationsLandInTheSecondTheyStartedIn() {
        long origin = 5 * S;
        SecondBuckets b = new SecondBuckets(origin, 3);
        b.record(origin);
        b.record(origin + S - 1);
        b.record(origin + S);
        b.record(origin + 3 * S - 1);
        b.record(origin - 1);
        b.record(origin + 3 * S);
        assertThat(b.counts()).as("before the window and past the last bucket are ignored").containsExactly(2, 1, 1);
    }

    @Test
    void aPartialLastSecondIsScaledToARateAndSecondsPastTheEndAreNaN() {
        // 2.5 s window: 1,000 ops, 1,200 ops, then 300 ops in the last half second.
        double[] rates = SecondBuckets.rates(new long[] {1000, 1200, 300}, 2_500_000_000L);
        assertThat(rates[0]).isCloseTo(1000, within(1e-9));
        assertThat(rates[1]).isCloseTo(1200, within(1e-9));
        assertThat(rates[2]).isCloseTo(600, within(1e-9));
        // The op budget ended the window after 1.2 s of a 3 s plan.
        double[] early = SecondBuckets.rates(new long[] {500, 100, 0}, 1_200_000_000L);
        assertThat(early[1]).isCloseTo(500, within(1e-9));
        assertThat(early[2]).isNaN();
    }

    @Test
    void theTallysBucketsAddUpToItsOperationCount() {
        Tally t = new Tally();
        long origin = 0;
        t.countPerSecond(origin, 2);
        for (long at : new long[] {0, S / 2, S, S + 1, 2 * S - 1}) {
            t.countOp(at);
        }
        Measurement m = t.snapshot(2 * S);
        assertThat(m.ops()).isEqualTo(5);
        assertThat(m.perSecond()).containsExactly(2, 3);
        assertThat(Arrays.stream(m.perSecond()).sum()).isEqualTo(m.ops());
        assertThat(m.perSecondRates()).containsExactly(2.0, 3.0);
        assertThat(new Tally().snapshot(S).perSecond()).as("not counted without --from-start").isEmpty();
    }
}
