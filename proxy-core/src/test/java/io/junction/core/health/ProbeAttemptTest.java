package io.junction.core.health;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The failure texts the admin API shows. */
class ProbeAttemptTest {

    @Test
    void namesTheUsualConnectErrorsWithoutNettysAnnotations() {
        assertThat(ProbeAttempt.describe(new ConnectException(
                "finishConnect(..) failed: Connection refused: /127.0.0.1:8080"))).isEqualTo("connection refused");
        assertThat(ProbeAttempt.describe(new IOException("recvAddress(..) failed: Connection reset by peer")))
                .isEqualTo("connection reset");
        assertThat(ProbeAttempt.describe(new NoRouteToHostException("No route to host")))
                .isEqualTo("no route to host");
    }

    @Test
    void describesAnythingElseByItsMessage() {
        assertThat(ProbeAttempt.describe(new ConnectException("Permission denied"))).isEqualTo(
                "connect failed: Permission denied");
        assertThat(ProbeAttempt.describe(new IllegalStateException())).isEqualTo("IllegalStateException");
    }

    @Test
    void writesTimeoutsAsAConfigWouldStateThem() {
        assertThat(ProbeAttempt.format(Duration.ofSeconds(1))).isEqualTo("1s");
        assertThat(ProbeAttempt.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(ProbeAttempt.format(Duration.ofMillis(300))).isEqualTo("300ms");
    }
}
