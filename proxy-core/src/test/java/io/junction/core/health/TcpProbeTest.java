package io.junction.core.health;

import io.junction.core.forward.Transports;
import io.junction.core.model.HealthCheck;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** TCP checks against real listeners on loopback. */
class TcpProbeTest {
    private static final HealthCheck FAST = HealthCheck.tcp()
            .withInterval(Duration.ofMillis(50))
            .withTimeout(Duration.ofMillis(500))
            .withThresholds(2, 2);
    private static EventLoopGroup loops;

    @BeforeAll
    static void startLoops() {
        loops = Transports.newEventLoopGroup(2, "test-probe");
    }

    @AfterAll
    static void stopLoops() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aClosedListenerMakesTheTargetUnhealthyAndReopeningItOnTheSamePortHealthyAgain() {
        List<Boolean> transitions = new CopyOnWriteArrayList<>();
        ProbeTcpListener listener = ProbeTcpListener.silent();
        int port = listener.address().getPort();
        try (Prober prober = new Prober(loops, (target, healthy, last) -> transitions.add(healthy))) {
            ProbeTarget target = prober.acquire(FAST, listener.address());
            await().atMost(Duration.ofSeconds(2)).until(() -> target.passes() >= 1);
            assertThat(target.lastResult().detail()).isEqualTo("connected");

            listener.close();
            await().atMost(Duration.ofSeconds(2)).until(() -> !target.healthy());
            assertThat(target.lastResult().passed()).isFalse();
            assertThat(target.lastResult().detail()).isEqualTo("connection refused");

            listener = ProbeTcpListener.silentOn(port);
            await().atMost(Duration.ofSeconds(2)).until(target::healthy);
            assertThat(target.lastResult().detail()).isEqualTo("connected");
            assertThat(transitions).containsExactly(false, true);
        } finally {
            listener.close();
        }
    }

    @Test
    void closesEachProbeConnectionAtOnceWithAReset() {
        try (ProbeTcpListener listener = ProbeTcpListener.silent();
             Prober prober = new Prober(loops, (target, healthy, last) -> { })) {
            ProbeTarget target = prober.acquire(FAST, listener.address());
            await().atMost(Duration.ofSeconds(2)).until(() -> target.passes() >= 3);
            prober.release(target);

            // Reset rather than FIN: no TIME_WAIT left behind on this node for every probe.
            await().atMost(Duration.ofSeconds(2)).until(() -> listener.resets() >= 3 && listener.open() == 0);
            assertThat(target.failures()).isZero();
        }
    }
}
