package io.junction.core.health;

import io.junction.core.forward.Transports;
import io.junction.core.model.HealthCheck;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** HTTP checks against real backends on loopback. */
class HttpProbeTest {
    private static final HealthCheck FAST = HealthCheck.http("/healthz")
            .withInterval(Duration.ofMillis(50))
            .withTimeout(Duration.ofMillis(500))
            .withThresholds(2, 3);
    private static EventLoopGroup loops;
    private static ProbeLeakWatch leakWatch;

    /** What the listener saw, with the counts at that moment. */
    private record Transition(boolean healthy, ProbeResult last, long passes, long failures, int answered500) {
    }

    private final List<Transition> transitions = new CopyOnWriteArrayList<>();
    private ProbeHttpBackend backend;
    private Prober prober;

    @BeforeAll
    static void startLoops() {
        loops = Transports.newEventLoopGroup(2, "test-probe");
        leakWatch = new ProbeLeakWatch();
    }

    @AfterAll
    static void stopLoopsAndFindNoLeak() throws InterruptedException {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        try (ProbeLeakWatch watch = leakWatch) {
            assertThat(watch.leaks()).as("buffers leaked by the probes").isEmpty();
        }
    }

    @AfterEach
    void close() {
        if (prober != null) {
            prober.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private void startProber() {
        prober = new Prober(loops, (target, healthy, last) -> transitions.add(new Transition(healthy, last,
                target.passes(), target.failures(), backend == null ? 0 : backend.answered(500))));
    }

    @Test
    void goesUnhealthyAtTheThirdFailedProbeAndHealthyAgainAtTheSecondPass() {
        backend = new ProbeHttpBackend();
        startProber();
        ProbeTarget target = prober.acquire(FAST, backend.address());
        await().atMost(Duration.ofSeconds(2)).until(() -> target.passes() >= 1);
        assertThat(target.healthy()).isTrue();
        assertThat(target.lastResult().detail()).isEqualTo("HTTP 200");

        backend.answer(500);
        await().atMost(Duration.ofSeconds(2)).until(() -> transitions.size() == 1);
        Transition down = transitions.get(0);
        assertThat(down.healthy()).isFalse();
        assertThat(down.failures()).as("failures when the verdict flipped").isEqualTo(3);
        assertThat(down.answered500()).as("500s the backend had served by then").isEqualTo(3);
        assertThat(down.last().passed()).isFalse();
        assertThat(down.last().detail()).isEqualTo("HTTP 500");
        assertThat(target.healthy()).isFalse();

        backend.answer(200);
        await().atMost(Duration.ofSeconds(2)).until(() -> transitions.size() == 2);
        Transition up = transitions.get(1);
        assertThat(up.healthy()).isTrue();
        assertThat(up.passes() - down.passes()).as("passes it took to come back").isEqualTo(2);
        assertThat(up.last().detail()).isEqualTo("HTTP 200");
        assertThat(target.healthy()).isTrue();

        long probed = target.passes() + target.failures();
        await().atMost(Duration.ofSeconds(2)).until(() -> target.passes() + target.failures() >= probed + 4);
        assertThat(transitions).as("one transition each way").hasSize(2);
    }

    @Test
    void sendsAGetWithHostConnectionCloseAndItsUserAgent() {
        backend = new ProbeHttpBackend();
        startProber();
        ProbeTarget target = prober.acquire(FAST.withPath("/ready"), backend.address());
        await().atMost(Duration.ofSeconds(2)).until(() -> backend.requests("/ready") >= 1);

        assertThat(backend.lastHeaders().getFirst("Host")).isEqualTo("127.0.0.1:" + backend.address().getPort());
        assertThat(backend.lastHeaders().getFirst("Connection")).isEqualToIgnoringCase("close");
        assertThat(backend.lastHeaders().getFirst("User-Agent")).isEqualTo("junction-health-check");
        prober.release(target);
    }

    @Test
    void sendsTheChecksHostWhenItNamesOne() {
        backend = new ProbeHttpBackend();
        startProber();
        prober.acquire(FAST.withHost("api.example"), backend.address());
        await().atMost(Duration.ofSeconds(2)).until(() -> backend.requests() >= 1);

        assertThat(backend.lastHeaders().getFirst("Host")).isEqualTo("api.example");
    }

    @Test
    void probesAnIpv6EndpointAndBracketsItsAddressInTheHostHeader() throws UnknownHostException {
        try {
            backend = new ProbeHttpBackend(InetAddress.getByName("::1"));
        } catch (UncheckedIOException e) {
            Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
            return;
        }
        startProber();
        ProbeTarget target = prober.acquire(FAST, backend.address());

        await().atMost(Duration.ofSeconds(2)).until(() -> target.passes() >= 1);
        assertThat(backend.lastHeaders().getFirst("Host"))
                .isEqualTo("[0:0:0:0:0:0:0:1]:" + backend.address().getPort());
    }

    @Test
    void passesOnAnyStatusInTheExpectedRange() {
        backend = new ProbeHttpBackend();
        backend.answer(404);
        startProber();
        ProbeTarget target = prober.acquire(FAST.withExpectStatus(200, 404), backend.address());

        await().atMost(Duration.ofSeconds(2)).until(() -> target.lastResult() != null);
        assertThat(target.lastResult().passed()).isTrue();
        assertThat(target.lastResult().detail()).isEqualTo("HTTP 404");
    }

    @Test
    void waitsPastAnInterimResponseForTheFinalOne() {
        startProber();
        try (ProbeTcpListener server = ProbeTcpListener.answering("HTTP/1.1 103 Early Hints\r\n\r\n"
                + "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy")) {
            ProbeTarget target = prober.acquire(FAST, server.address());

            await().atMost(Duration.ofSeconds(2)).until(() -> target.lastResult() != null);
            assertThat(target.lastResult().detail()).isEqualTo("HTTP 503");
        }
    }

    @Test
    void failsOnAnAnswerThatIsNotHttp() {
        startProber();
        try (ProbeTcpListener server = ProbeTcpListener.answering("SSH-2.0-OpenSSH_9.6\r\n")) {
            ProbeTarget target = prober.acquire(FAST, server.address());

            await().atMost(Duration.ofSeconds(2)).until(() -> target.lastResult() != null);
            assertThat(target.lastResult().passed()).isFalse();
            assertThat(target.lastResult().detail()).startsWith("bad HTTP response");
        }
    }

    @Test
    void aServerThatNeverAnswersFailsTheProbeAtItsTimeoutAndTheConnectionIsClosed() {
        startProber();
        try (ProbeTcpListener silent = ProbeTcpListener.silent()) {
            HealthCheck check = FAST.withTimeout(Duration.ofMillis(300)).withInterval(Duration.ofSeconds(1));
            ProbeTarget target = prober.acquire(check, silent.address());

            // The first probe starts within the first interval: wait for it to connect, then for its result.
            await().atMost(Duration.ofSeconds(2)).until(() -> silent.accepted() >= 1);
            await().atMost(Duration.ofSeconds(1)).until(() -> target.lastResult() != null);

            ProbeResult result = target.lastResult();
            assertThat(result.passed()).isFalse();
            assertThat(result.detail()).isEqualTo("timed out after 300ms");
            // Never early; the margin is for a busy machine (the first probe of a JVM also loads the HTTP codec).
            assertThat(result.took()).isBetween(Duration.ofMillis(300), Duration.ofMillis(300 + 1000));
            await().atMost(Duration.ofSeconds(1)).until(() -> silent.open() == 0);
        }
    }

    @Test
    void aConnectionClosedBeforeTheResponseFails() {
        startProber();
        try (ProbeTcpListener closing = ProbeTcpListener.closingAtOnce()) {
            ProbeTarget target = prober.acquire(FAST, closing.address());

            await().atMost(Duration.ofSeconds(2)).until(() -> target.lastResult() != null);
            assertThat(target.lastResult().passed()).isFalse();
            // The backend's FIN is usually read first; a request written into the closed socket may be reset instead.
            assertThat(target.lastResult().detail()).isIn("closed before the response", "connection reset");
        }
    }
}
