package io.junction.core.state;

import io.junction.core.model.RetryBudget;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryGateTest {
    private final RetryGate gate = new RetryGate();

    @Test
    void aQuietServiceMayAlwaysRetryUpToTheFloor() {
        RetryBudget budget = new RetryBudget(20, 3);
        gate.connectStarted();
        assertThat(gate.tryRetry(budget)).isTrue();
        assertThat(gate.tryRetry(budget)).isTrue();
        assertThat(gate.tryRetry(budget)).isTrue();
        assertThat(gate.tryRetry(budget)).as("the floor is reached and 1 connect allows no more").isFalse();
        assertThat(gate.retrying()).isEqualTo(3);
    }

    @Test
    void aWideOutageRetriesAtMostItsShareOfTheConnectsInFlight() {
        RetryBudget budget = new RetryBudget(20, 3);
        for (int i = 0; i < 100; i++) {
            gate.connectStarted();
        }
        int allowed = 0;
        for (int i = 0; i < 100; i++) {
            if (gate.tryRetry(budget)) {
                allowed++;
            }
        }
        assertThat(allowed).as("retries allowed with 100 connects in flight").isEqualTo(20);
    }

    @Test
    void endedRetriesAndConnectsGiveTheirPlaceBack() {
        RetryBudget budget = new RetryBudget(0, 1);
        gate.connectStarted();
        assertThat(gate.tryRetry(budget)).isTrue();
        assertThat(gate.tryRetry(budget)).isFalse();
        gate.retryEnded();
        gate.connectEnded();
        gate.connectStarted();
        assertThat(gate.tryRetry(budget)).isTrue();
    }
}
