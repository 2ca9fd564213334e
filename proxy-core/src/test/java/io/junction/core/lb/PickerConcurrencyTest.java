package io.junction.core.lb;

import io.junction.core.model.LbPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.junction.core.lb.LbFixtures.context;
import static io.junction.core.lb.LbFixtures.indexOf;
import static io.junction.core.lb.LbFixtures.weighted;
import static org.assertj.core.api.Assertions.assertThat;

/** Two threads hammer one picker: no exception, every pick returns a backend, and counts add up. */
class PickerConcurrencyTest {
    private static final int THREADS = 2;
    private static final int PICKS = 1_000_000;

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void twoThreadsMillionPicksEach(LbPolicy policy) throws Exception {
        // Weights 1,2,3,1,2,3: a 12-step cycle; every other policy ignores weights.
        List<Backend> list = weighted(1, 2, 3, 1, 2, 3);
        Picker picker = LbFixtures.picker(policy, list);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<long[]>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    long[] counts = new long[list.size()];
                    start.await();
                    for (int i = 0; i < PICKS; i++) {
                        // Client-ip: 64 clients per thread, so both inserts and hits race.
                        Backend b = picker.pick(context(thread * 64 + (i & 63)));
                        counts[indexOf(list, b)]++;
                    }
                    return counts;
                }));
            }
            start.countDown();
            long[] total = new long[list.size()];
            for (Future<long[]> f : results) {
                long[] counts = f.get(60, TimeUnit.SECONDS);
                for (int i = 0; i < total.length; i++) {
                    total[i] += counts[i];
                }
            }
            long sum = 0;
            for (long c : total) {
                sum += c;
            }
            assertThat(sum).isEqualTo((long) THREADS * PICKS);
            long all = (long) THREADS * PICKS;
            switch (policy) {
                // Each cursor value is taken by exactly one thread, so the union of picks is exact.
                case ROUND_ROBIN -> assertThat(total).containsOnly(all / 6, all / 6 + 1);
                case WEIGHTED -> {
                    long cycles = all / 12;
                    for (int i = 0; i < 6; i++) {
                        assertThat(total[i]).isBetween(cycles * (i % 3 + 1), cycles * (i % 3 + 1) + 3);
                    }
                }
                // 128 clients, each on one backend: every backend has some, not exactly a sixth.
                case CLIENT_IP, MAGLEV -> assertThat(Arrays.stream(total).min().orElse(0)).isPositive();
                default -> {
                    for (long c : total) {
                        assertThat(Math.abs(c - all / 6.0)).isLessThan(all / 6.0 * 0.05);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
