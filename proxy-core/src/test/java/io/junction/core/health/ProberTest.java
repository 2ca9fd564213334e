package io.junction.core.health;

import io.junction.core.forward.Transports;
import io.junction.core.model.HealthCheck;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Sharing, starting and stopping targets, and how their probes are spread in time. */
class ProberTest {
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final HealthCheck HEALTHZ = HealthCheck.http("/healthz")
            .withInterval(INTERVAL)
            .withTimeout(Duration.ofMillis(500))
            .withJitterPercent(0);
    private static EventLoopGroup loops;

    private final List<Boolean> transitions = new CopyOnWriteArrayList<>();
    private final Prober prober = new Prober(loops, (target, healthy, last) -> transitions.add(healthy));
    private final ProbeHttpBackend backend = new ProbeHttpBackend();

    @BeforeAll
    static void startLoops() {
        loops = Transports.newEventLoopGroup(2, "test-probe");
    }

    @AfterAll
    static void stopLoops() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void close() {
        prober.close();
        backend.close();
    }

    @Test
    void twoAcquiresOfTheSameCheckAndAddressShareOneTargetAndOneProbeStream() throws InterruptedException {
        long start = System.nanoTime();
        ProbeTarget first = prober.acquire(HEALTHZ, backend.address());
        ProbeTarget second = prober.acquire(HEALTHZ, backend.address());

        assertThat(second).isSameAs(first);
        assertThat(prober.size()).isEqualTo(1);
        Thread.sleep(10 * INTERVAL.toMillis());
        int requests = backend.requests("/healthz");
        long intervals = (System.nanoTime() - start) / INTERVAL.toNanos();
        // One stream makes one probe per interval at most, plus the first (somewhere in the first); two would double.
        assertThat(requests).isPositive().isLessThanOrEqualTo((int) intervals + 1);
    }

    @Test
    void differentChecksOnTheSameAddressAreTwoTargetsAndReleasingEveryReferenceStopsTheProbing()
            throws InterruptedException {
        ProbeTarget healthz = prober.acquire(HEALTHZ, backend.address());
        ProbeTarget sharedHealthz = prober.acquire(HEALTHZ, backend.address());
        ProbeTarget ready = prober.acquire(HEALTHZ.withPath("/ready"), backend.address());
        assertThat(ready).isNotSameAs(healthz);
        assertThat(prober.size()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(2))
                .until(() -> backend.requests("/healthz") >= 1 && backend.requests("/ready") >= 1);

        prober.release(healthz);
        int before = backend.requests("/healthz");
        await("still held once: still probed").atMost(Duration.ofSeconds(2))
                .until(() -> backend.requests("/healthz") >= before + 2);

        prober.release(sharedHealthz);
        prober.release(ready);
        assertThat(prober.size()).isZero();
        Thread.sleep(2 * INTERVAL.toMillis()); // a request sent just before may still be on its way
        int stopped = backend.requests();
        Thread.sleep(4 * INTERVAL.toMillis());
        assertThat(backend.requests()).isEqualTo(stopped);
    }

    @Test
    void aCheckWithAHealthPortProbesThatPortRatherThanTheEndpoints() {
        // A UDP service on some port whose endpoints answer health checks over HTTP on the backend's port.
        InetSocketAddress endpoint = new InetSocketAddress("127.0.0.1", freePort());
        ProbeTarget target = prober.acquire(HEALTHZ.withPort(backend.address().getPort()), endpoint);

        assertThat(target.address()).isEqualTo(backend.address());
        await().atMost(Duration.ofSeconds(2)).until(() -> target.passes() >= 1);
        assertThat(backend.requests("/healthz")).isPositive();
    }

    @Test
    void endpointsOnDifferentPortsShareTheTargetOfTheirHealthPort() {
        HealthCheck onHealthPort = HEALTHZ.withPort(backend.address().getPort());

        ProbeTarget dns = prober.acquire(onHealthPort, new InetSocketAddress("127.0.0.1", 53));
        ProbeTarget ntp = prober.acquire(onHealthPort, new InetSocketAddress("127.0.0.1", 123));

        assertThat(ntp).isSameAs(dns);
    }

    @Test
    void theFirstProbesOfAHundredTargetsAreSpreadOverTheInterval() {
        // Probes of closed ports fail fast, which is all this needs: when each target's first probe started.
        HealthCheck tcp = HealthCheck.tcp().withInterval(Duration.ofSeconds(1)).withJitterPercent(10);
        List<ProbeTarget> targets = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            targets.add(prober.acquire(tcp, new InetSocketAddress("127.0.0.1", freePort())));
        }

        await().atMost(Duration.ofSeconds(3)).until(() -> targets.stream().allMatch(t -> t.lastResult() != null));
        List<Instant> starts = targets.stream().map(t -> t.lastResult().at()).sorted().toList();
        assertThat(Duration.between(starts.get(0), starts.get(99))).isGreaterThan(Duration.ofMillis(500));
        // About 5 would fall in any 50 ms at random; lockstep would put all 100 there. The margin absorbs a loop
        // that stalls for a while on a busy machine and then starts its overdue probes together.
        for (int i = 0; i + 40 < starts.size(); i++) {
            assertThat(Duration.between(starts.get(i), starts.get(i + 40)))
                    .as("no 41 first probes within 50 ms").isGreaterThan(Duration.ofMillis(50));
        }
    }

    @Test
    void aTargetAcquiredUnhealthyIsAdmittedAtItsFirstPass() {
        ProbeTarget target = prober.acquire(HEALTHZ.withThresholds(3, 3), backend.address(),
                Prober.Initially.UNHEALTHY);
        assertThat(target.healthy()).isFalse();

        await().atMost(Duration.ofSeconds(2)).until(target::healthy);
        assertThat(target.passes()).isEqualTo(1);
        assertThat(transitions).containsExactly(true);
    }

    @Test
    void aSharedTargetKeepsItsVerdictWhateverTheLaterAcquireAsksFor() {
        ProbeTarget target = prober.acquire(HEALTHZ, backend.address());

        assertThat(prober.acquire(HEALTHZ, backend.address(), Prober.Initially.UNHEALTHY)).isSameAs(target);
        assertThat(target.healthy()).isTrue();
    }

    @Test
    void closeStopsEveryTargetAndRefusesNewOnes() throws InterruptedException {
        prober.acquire(HEALTHZ, backend.address());
        prober.acquire(HEALTHZ.withPath("/ready"), backend.address());
        await().atMost(Duration.ofSeconds(2)).until(() -> backend.requests() >= 2);

        prober.close();
        assertThat(prober.size()).isZero();
        Thread.sleep(2 * INTERVAL.toMillis()); // a request sent just before may still be on its way
        int stopped = backend.requests();
        Thread.sleep(3 * INTERVAL.toMillis());
        assertThat(backend.requests()).isEqualTo(stopped);
        assertThatThrownBy(() -> prober.acquire(HEALTHZ, backend.address()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void refusesACheckOfTypeNoneAndAnUnresolvedAddress() {
        assertThatThrownBy(() -> prober.acquire(HealthCheck.NONE, backend.address()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> prober.acquire(HEALTHZ, InetSocketAddress.createUnresolved("backend", 80)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void releasingATargetMoreOftenThanItWasAcquiredIsAnError() {
        ProbeTarget target = prober.acquire(HEALTHZ, backend.address());
        prober.release(target);

        assertThatThrownBy(() -> prober.release(target)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A port on 127.0.0.1 with nothing listening (it was free a moment ago). */
    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
