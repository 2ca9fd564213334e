package io.junction.core.state;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The coalescing rules on a fake clock and a fake timer: every interval is exact, nothing races real time. */
class SyncRunnerTest {
    private static final long INTERVAL_MS = 200;

    /** A control thread the test drives: tasks wait until the test's clock reaches their due time. */
    private static final class FakeTimer implements SyncRunner.Scheduler {
        record Task(Runnable run, long due) {
        }

        final List<Task> queue = new ArrayList<>();
        long now;

        @Override
        public void schedule(Runnable task, long delayNanos) {
            queue.add(new Task(task, now + delayNanos));
        }

        /** Moves the clock by {@code millis} and runs, in due order, whatever fell due. */
        void advance(long millis) {
            long until = now + TimeUnit.MILLISECONDS.toNanos(millis);
            while (true) {
                Task next = null;
                for (Task t : queue) {
                    if (t.due() <= until && (next == null || t.due() < next.due())) {
                        next = t;
                    }
                }
                if (next == null) {
                    break;
                }
                queue.remove(next);
                now = Math.max(now, next.due());
                next.run().run();
            }
            now = until;
        }
    }

    private final FakeTimer timer = new FakeTimer();
    private final AtomicInteger runs = new AtomicInteger();

    @Test
    void aBurstOfRequestsCoalescesIntoOneSync() {
        SyncRunner runner = new SyncRunner(timer, runs::incrementAndGet, INTERVAL_MS, () -> timer.now, t -> { });

        for (int i = 0; i < 1000; i++) {
            runner.request();
        }

        assertThat(timer.queue).hasSize(1);
        timer.advance(0);
        assertThat(runs.get()).isEqualTo(1);
    }

    @Test
    void aRequestAfterASyncWaitsOutTheIntervalAndCoalescesWithLaterOnes() {
        SyncRunner runner = new SyncRunner(timer, runs::incrementAndGet, INTERVAL_MS, () -> timer.now, t -> { });
        runner.request();
        timer.advance(0);

        timer.advance(50);
        runner.request();
        timer.advance(100);
        runner.request();
        assertThat(runs.get()).as("150 ms after the first sync").isEqualTo(1);

        timer.advance(49);
        assertThat(runs.get()).as("199 ms after the first sync").isEqualTo(1);
        timer.advance(1);
        assertThat(runs.get()).as("200 ms after the first sync").isEqualTo(2);
        timer.advance(10_000);
        assertThat(runs.get()).as("both requests served by one sync").isEqualTo(2);
    }

    @Test
    void aRequestDuringASyncGetsOneMoreSyncOneIntervalLater() {
        SyncRunner[] self = new SyncRunner[1];
        List<Long> startedAt = new ArrayList<>();
        self[0] = new SyncRunner(timer, () -> {
            startedAt.add(timer.now);
            if (runs.incrementAndGet() == 1) {
                self[0].request();
            }
        }, INTERVAL_MS, () -> timer.now, t -> { });

        self[0].request();
        timer.advance(1_000);

        assertThat(startedAt).containsExactly(0L, TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS));
    }

    @Test
    void aFailingSyncIsReportedAndDoesNotStopLaterOnes() {
        AtomicInteger errors = new AtomicInteger();
        SyncRunner runner = new SyncRunner(timer, () -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("boom");
            }
        }, 0, () -> timer.now, t -> errors.incrementAndGet());

        runner.request();
        timer.advance(0);
        runner.request();
        timer.advance(0);

        assertThat(errors.get()).isEqualTo(1);
        assertThat(runs.get()).isEqualTo(2);
    }
}
