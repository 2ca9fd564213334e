package io.junction.core.forward.tcp;

import io.junction.core.model.TcpSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Repeats the 100 MiB-each-way transfer to catch the rare io_uring stall with {@link StallWatchdog}'s report. Off in
 * the normal build; run it on io_uring with
 * {@code mvn -pl proxy-core surefire:test@io-uring -Dtest=TcpBulkStallHuntTest -Djunction.bulkRepeat=500
 * -Djunction.bulkMinutes=15}. Bounded by both the count and the minutes.
 */
@EnabledIfSystemProperty(named = "junction.bulkRepeat", matches = "\\d+")
class TcpBulkStallHuntTest {

    @Test
    void relays100MiBEachWayAgainAndAgain() throws Exception {
        int repeat = Integer.getInteger("junction.bulkRepeat");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(Long.getLong("junction.bulkMinutes", 10));
        ExecutorService threads = Executors.newCachedThreadPool();
        try (TcpProxyFixture proxy = new TcpProxyFixture()) {
            for (int i = 1; i <= repeat && System.nanoTime() < deadline; i++) {
                TcpScenarios.Outcome o = TcpScenarios.bothWaysAtOnce(proxy, threads, TcpSettings.DEFAULTS,
                        100L * 1024 * 1024);
                System.out.printf("stall hunt: run %d, 2 x 100 MiB in %d ms%n", i, o.millis());
                proxy.closeListeners();
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
