package io.junction.core.state;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SyncRunnerTest {
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void aBurstOfRequestsCoalescesIntoFewSyncs() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        SyncRunner runner = new SyncRunner(executor, runs::incrementAndGet, 200, System::nanoTime, t -> { });

        for (int i = 0; i < 1000; i++) {
            runner.request();
        }

        await().atMost(Duration.ofSeconds(2)).until(() -> runs.get() >= 1);
        // All 1000 requests arrived before the first sync ran or within one min-interval: at most two syncs.
        executor.submit(() -> { }).get();
        assertThat(runs.get()).isBetween(1, 2);
    }

    @Test
    void aRequestDuringASyncGetsOneMoreSyncAfterTheInterval() {
        AtomicInteger runs = new AtomicInteger();
        AtomicReference<SyncRunner> self = new AtomicReference<>();
        long[] times = new long[2];
        SyncRunner runner = new SyncRunner(executor, () -> {
            int n = runs.incrementAndGet();
            if (n <= 2) {
                times[n - 1] = System.nanoTime();
            }
            if (n == 1) {
                self.get().request();
            }
        }, 100, System::nanoTime, t -> { });
        self.set(runner);

        runner.request();

        await().atMost(Duration.ofSeconds(2)).until(() -> runs.get() == 2);
        assertThat(Duration.ofNanos(times[1] - times[0])).isGreaterThanOrEqualTo(Duration.ofMillis(95));
    }

    @Test
    void aFailingSyncIsReportedAndDoesNotStopLaterOnes() {
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        SyncRunner runner = new SyncRunner(executor, () -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("boom");
            }
        }, 0, System::nanoTime, t -> errors.incrementAndGet());

        runner.request();
        await().atMost(Duration.ofSeconds(2)).until(() -> errors.get() == 1);
        runner.request();

        await().atMost(Duration.ofSeconds(2)).until(() -> runs.get() == 2);
    }
}
