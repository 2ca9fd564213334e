package io.junction.core.health;

import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.junction.core.model.OutlierDetection;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OutlierDetectorTest {
    private final List<String> transitions = new ArrayList<>();

    private OutlierDetector detector(int threshold, int halfOpen) {
        OutlierDetection settings = OutlierDetection.DEFAULTS.withHalfOpenConnections(halfOpen)
                .withEjectionTime(Duration.ofSeconds(30));
        return new OutlierDetector("svc/10.0.0.1:80", settings, threshold, Clock.systemUTC(),
                (d, from, to) -> transitions.add(from + "->" + to));
    }

    @Test
    void opensAfterThresholdFailuresInARowAndNotBefore() {
        OutlierDetector d = detector(5, 1);
        for (int i = 0; i < 4; i++) {
            assertThat(d.tryAdmit()).isTrue();
            d.onFailure();
        }
        assertThat(d.ejected()).isFalse();
        d.onSuccess(1_000);
        for (int i = 0; i < 4; i++) {
            d.onFailure();
        }
        assertThat(d.ejected()).as("a success in between restarts the count").isFalse();
        d.onFailure();
        assertThat(d.ejected()).isTrue();
        assertThat(d.openedAt()).isNotNull();
        assertThat(d.tryAdmit()).as("an ejected endpoint admits nothing").isFalse();
        assertThat(transitions).containsExactly("CLOSED->OPEN");
    }

    @Test
    void halfOpenLetsOneTestConnectionThroughAndCloses() {
        OutlierDetector d = detector(1, 1);
        d.onFailure();
        assertThat(d.state()).isEqualTo(State.OPEN);
        d.beginTest();
        assertThat(d.state()).isEqualTo(State.HALF_OPEN);
        assertThat(d.tryAdmit()).isTrue();
        assertThat(d.tryAdmit()).as("only one test connection at a time").isFalse();
        d.onSuccess(1_000);
        assertThat(d.state()).isEqualTo(State.CLOSED);
        assertThat(transitions).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED");
    }

    @Test
    void aFailedTestEjectsAgain() {
        OutlierDetector d = detector(1, 1);
        d.onFailure();
        d.beginTest();
        assertThat(d.tryAdmit()).isTrue();
        d.onFailure();
        assertThat(d.ejected()).isTrue();
        assertThat(transitions).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->OPEN");
    }

    @Test
    void aReleasedAdmissionLetsTheNextTestThrough() {
        OutlierDetector d = detector(1, 1);
        d.onFailure();
        d.beginTest();
        assertThat(d.tryAdmit()).isTrue();
        d.releaseAdmission();
        assertThat(d.tryAdmit()).isTrue();
    }
}
