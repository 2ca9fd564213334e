package io.junction.core.health;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowSynchronizationStrategy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.junction.core.model.OutlierDetection;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Resilience4j's lock-free count window of size 1 fails on its second record. {@link OutlierDetector} works around
 * it; when the first test here fails, Resilience4j is fixed and the workaround (window of 2, skipped successes, caught
 * NullPointerException) can go.
 */
class ResilienceWindowOfOneTest {

    @Test
    void resilience4jsLockFreeWindowOfOneStillFailsOnItsSecondRecord() {
        CircuitBreaker breaker = CircuitBreaker.of("one", CircuitBreakerConfig.custom()
                .slidingWindow(1, 1, SlidingWindowType.COUNT_BASED, SlidingWindowSynchronizationStrategy.LOCK_FREE)
                .build());
        breaker.onSuccess(1, TimeUnit.MILLISECONDS);
        assertThatThrownBy(() -> breaker.onSuccess(1, TimeUnit.MILLISECONDS))
                .as("fixed upstream: drop the window-of-one workaround in OutlierDetector")
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void aThresholdOfOneSurvivesManyOutcomesAndOpensOnOneFailure() {
        OutlierDetector d = new OutlierDetector("one", OutlierDetection.DEFAULTS, 1, Clock.systemUTC(),
                (detector, from, to) -> { });
        for (int i = 0; i < 100; i++) {
            d.onSuccess(1_000);
        }
        assertThat(d.ejected()).isFalse();
        d.onFailure();
        assertThat(d.ejected()).isTrue();
        d.beginTest();
        assertThat(d.tryAdmit()).isTrue();
        d.onSuccess(1_000);
        d.onSuccess(1_000); // a late outcome of a connection admitted before the ejection
        assertThat(d.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        for (int i = 0; i < 100; i++) {
            d.onSuccess(1_000);
        }
        d.onFailure();
        assertThat(d.ejected()).as("one failure after many successes still ejects").isTrue();
    }
}
