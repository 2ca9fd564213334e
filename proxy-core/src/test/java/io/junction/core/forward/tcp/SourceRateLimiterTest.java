package io.junction.core.forward.tcp;

import io.junction.core.model.ConnectionRateLimit;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The token bucket per source, on a hand-moved clock. */
class SourceRateLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void aSourceGetsItsBurstThenTheSteadyRate() throws Exception {
        SourceRateLimiter l = new SourceRateLimiter(new ConnectionRateLimit(10, 5), 100, now::get);
        InetAddress a = InetAddress.getByName("127.0.0.2");
        int admitted = 0;
        for (int i = 0; i < 20; i++) {
            admitted += l.tryAcquire(a) ? 1 : 0;
        }
        assertThat(admitted).isEqualTo(5);
        // One second at 10/s: ten more, and not eleven.
        now.addAndGet(1_000_000_000L);
        admitted = 0;
        for (int i = 0; i < 20; i++) {
            admitted += l.tryAcquire(a) ? 1 : 0;
        }
        assertThat(admitted).isEqualTo(5);
        // Spread over a second, at the rate, every connection passes.
        now.addAndGet(1_000_000_000L);
        l.tryAcquire(a);
        for (int i = 0; i < 100; i++) {
            now.addAndGet(100_000_000L);
            assertThat(l.tryAcquire(a)).as("connection %d at 10/s", i).isTrue();
        }
    }

    @Test
    void sourcesHaveTheirOwnBuckets() throws Exception {
        SourceRateLimiter l = new SourceRateLimiter(new ConnectionRateLimit(1, 2), 100, now::get);
        InetAddress abusive = InetAddress.getByName("127.0.0.3");
        InetAddress legit = InetAddress.getByName("127.0.0.2");
        for (int i = 0; i < 50; i++) {
            l.tryAcquire(abusive);
        }
        assertThat(l.tryAcquire(legit)).isTrue();
        assertThat(l.tryAcquire(legit)).isTrue();
        assertThat(l.tryAcquire(legit)).isFalse();
    }

    @Test
    void sprayedSourcesStayBoundedAndShareOneBucket() throws Exception {
        SourceRateLimiter l = new SourceRateLimiter(new ConnectionRateLimit(1, 1), 64, now::get);
        int admitted = 0;
        for (int i = 0; i < 1000; i++) {
            byte[] ip = {10, 0, (byte) (i >> 8), (byte) i};
            admitted += l.tryAcquire(InetAddress.getByAddress(ip)) ? 1 : 0;
        }
        assertThat(l.trackedSources()).isEqualTo(64);
        // 64 tracked sources once each, then the shared overflow bucket once.
        assertThat(admitted).isEqualTo(65);
        // Once their buckets have refilled, the idle sources are dropped to make room for new ones.
        now.addAndGet(2_000_000_000L);
        assertThat(l.tryAcquire(InetAddress.getByName("10.1.0.1"))).isTrue();
        assertThat(l.trackedSources()).isEqualTo(1);
    }
}
