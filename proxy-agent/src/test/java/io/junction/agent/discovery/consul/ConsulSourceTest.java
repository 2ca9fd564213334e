package io.junction.agent.discovery.consul;

import io.junction.agent.discovery.RecordingListener;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@link ConsulSource} against {@link FakeConsul}: real HTTP, real blocking queries, a registry that is stopped,
 * restarted, moved back in time and never there at all.
 */
class ConsulSourceTest {
    private static final ServiceKey WEB = ServiceKey.of("web", Protocol.TCP);
    private static final ServiceKey API = ServiceKey.of("api", Protocol.TCP);
    private static final Duration SOON = Duration.ofSeconds(5);

    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final RecordingListener listener = new RecordingListener();
    private FakeConsul consul = new FakeConsul();
    private ConsulSource source;

    @AfterEach
    void stop() {
        if (source != null) {
            source.close();
        }
        consul.close();
    }

    private ConsulSettings settings(Duration wait) {
        return new ConsulSettings(URI.create("http://" + consul.address()), null, null, null, null, true, wait,
                Map.of());
    }

    private void start(ConsulSettings settings) {
        source = new ConsulSource(settings, metrics, Clock.systemUTC());
        source.start(listener);
    }

    private double requests(String result) {
        return metrics.get("junction.consul.requests").tag("result", result).counter().count();
    }

    @Test
    void theFirstReadIsOneReplaceThenABlockingQueryWakesOnANewInstanceWithinASecond() {
        consul.register("web", "web-1", "127.0.0.1", 8081);
        start(settings(Duration.ofSeconds(30)));
        await().atMost(SOON).until(() -> listener.replaced);
        assertThat(listener.calls.get(0)).startsWith("replace ");
        assertThat(listener.endpoints(WEB)).containsExactly("127.0.0.1:8081");
        // The catalog, web and consul watches are all held by the registry now.
        await().atMost(SOON).until(() -> consul.held() == 3);

        long t0 = System.nanoTime();
        consul.register("web", "web-2", "127.0.0.2", 8082);
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                .until(() -> listener.endpoints(WEB).size() == 2);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1000);
        assertThat(listener.endpoints(WEB)).containsExactly("127.0.0.1:8081", "127.0.0.2:8082");
        // The wake-up came from a held request: it carried the index of the previous answer and a wait.
        assertThat(consul.requests()).anySatisfy(r -> {
            assertThat(r.path()).isEqualTo("/v1/health/service/web");
            assertThat(r.index()).isPositive();
            assertThat(r.query().get("wait")).containsExactly("30s");
            assertThat(r.query()).containsKey("passing");
        });
        assertThat(requests("ok")).isGreaterThanOrEqualTo(3);
        assertThat(requests("error")).isZero();
    }

    @Test
    void servicesComeAndGoWithTheCatalogAndUnhealthyInstancesAreFilteredByTheRegistry() {
        consul.register("web", "web-1", "127.0.0.1", 8081);
        start(settings(Duration.ofSeconds(30)));
        await().atMost(SOON).until(() -> listener.replaced);
        // Consul's own service is in the catalog too: a service with no instances.
        assertThat(listener.endpoints(ServiceKey.of("consul", Protocol.TCP))).isEmpty();

        consul.register("api", "api-1", "127.0.0.3", 9000);
        await().atMost(SOON).until(() -> listener.endpoints(API) != null && listener.endpoints(API).size() == 1);

        // ?passing: a failing check takes the instance out at the registry.
        consul.check("api-1", "service:api-1", "critical");
        await().atMost(SOON).until(() -> listener.endpoints(API).isEmpty());
        consul.check("api-1", "service:api-1", "passing");
        await().atMost(SOON).until(() -> listener.endpoints(API).size() == 1);

        consul.deregister("api-1");
        await().atMost(SOON).until(() -> listener.endpoints(API) == null);
        assertThat(listener.calls).contains("change " + API + " removed");
        assertThat(listener.endpoints(WEB)).containsExactly("127.0.0.1:8081");
    }

    @Test
    void withoutOnlyPassingACriticalInstanceIsListedNotReadyAndAWarningOneKeepsItsWarningWeight() {
        consul.register("web", "web-1", "127.0.0.1", 8081, List.of(), Map.of("Passing", 5, "Warning", 2));
        consul.register("web", "web-2", "", 8082, List.of(), Map.of("Passing", 1, "Warning", 1));
        start(new ConsulSettings(URI.create("http://" + consul.address()), null, List.of("web"), null, null, false,
                Duration.ofSeconds(30), Map.of()));
        await().atMost(SOON).until(() -> listener.replaced);
        // web-2 has no Service.Address: the node's address is used, as Consul does.
        assertThat(listener.endpoints(WEB)).containsExactly("127.0.0.1:8081 w5", "127.0.0.1:8082");
        consul.check("web-1", "service:web-1", "warning");
        consul.check("web-2", "serfHealth", "critical");
        await().atMost(SOON).until(() -> listener.endpoints(WEB)
                .equals(List.of("127.0.0.1:8081 w2", "127.0.0.1:8082 not-ready")));
        assertThat(consul.requests()).allSatisfy(r -> assertThat(r.query()).doesNotContainKey("passing"));
    }

    @Test
    void anIndexThatGoesBackwardsIsResetAndTheWatchKeepsWaking() {
        consul.register("web", "web-1", "127.0.0.1", 8081);
        start(new ConsulSettings(URI.create("http://" + consul.address()), null, List.of("web"), null, null, true,
                Duration.ofSeconds(2), Map.of()));
        await().atMost(SOON).until(() -> listener.replaced);
        await().atMost(SOON).until(() -> consul.held() == 1);
        // The registry is restored from an older snapshot: its index is far below what the watch holds.
        consul.resetIndex(0);
        consul.register("web", "web-2", "127.0.0.2", 8082);
        assertThat(consul.index()).isEqualTo(1);
        // The held request answers at its wait's end with index 1, below the index sent: the watch resets.
        await().atMost(SOON).until(() -> listener.endpoints(WEB).size() == 2);
        await().atMost(SOON).until(() -> consul.held() == 1);
        assertThat(consul.requests().get(consul.requests().size() - 1).index()).isEqualTo(1);
        // And blocks on the new index: the next change wakes it at once.
        consul.register("web", "web-3", "127.0.0.3", 8083);
        await().atMost(Duration.ofSeconds(1)).until(() -> listener.endpoints(WEB).size() == 3);
    }

    @Test
    void aLostRegistryKeepsTheLastStateReportsItOnceAndRecovers() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger logger = (Logger) LoggerFactory.getLogger(ConsulSource.class);
        logger.addAppender(logs);
        try {
            consul.register("web", "web-1", "127.0.0.1", 8081);
            start(settings(Duration.ofSeconds(30)));
            await().atMost(SOON).until(() -> listener.replaced);
            consul.stop();
            await().atMost(SOON).until(() -> listener.errors.size() >= 2);
            assertThat(listener.errors.get(0)).contains("consul http://" + consul.address());
            assertThat(listener.endpoints(WEB)).containsExactly("127.0.0.1:8081");
            assertThat(listener.calls).noneMatch(c -> c.contains("removed"));
            await().atMost(Duration.ofSeconds(3)).until(() -> requests("error") >= 4);

            consul.restart();
            consul.register("web", "web-2", "127.0.0.2", 8082);
            await().atMost(Duration.ofSeconds(30)).until(() -> listener.endpoints(WEB).size() == 2);
            await().atMost(SOON).until(() -> logs.list.stream()
                    .anyMatch(e -> e.getFormattedMessage().contains("registry=recovered")));
            assertThat(logs.list.stream().filter(e -> e.getFormattedMessage().contains("registry=failing")))
                    .hasSize(1);
            assertThat(logs.list.stream().filter(e -> e.getFormattedMessage().contains("registry=recovered")))
                    .hasSize(1);
            assertThat(logs.list.stream().filter(e -> e.getFormattedMessage().contains("registry=failing")))
                    .allMatch(e -> e.getFormattedMessage().contains("state=kept"));
        } finally {
            logger.detachAppender(logs);
        }
    }

    @Test
    void anUnreachableRegistryAtStartLeavesTheSourceUnsyncedUntilItAnswers() {
        int port = consul.port();
        consul.close();
        start(settings(Duration.ofSeconds(30)));
        await().atMost(SOON).until(() -> listener.errors.size() >= 2);
        assertThat(listener.replaced).isFalse();
        assertThat(listener.errors.get(0)).contains("catalog").contains("ConnectException");

        consul = new FakeConsul(port);
        consul.register("web", "web-1", "127.0.0.1", 8081);
        await().atMost(Duration.ofSeconds(30)).until(() -> listener.replaced);
        assertThat(listener.endpoints(WEB)).containsExactly("127.0.0.1:8081");
    }

    @Test
    void theTokenDatacenterAndTagAreSentAndAWrongTokenIsAnError() {
        consul.requireToken("s3cr3t-token");
        consul.register("web", "web-1", "127.0.0.1", 8081, List.of("v2"), Map.of("Passing", 1, "Warning", 1));
        consul.register("web", "web-0", "127.0.0.1", 8080, List.of("v1"), Map.of("Passing", 1, "Warning", 1));
        consul.register("db", "db-1", "127.0.0.1", 5432, List.of("v1"), Map.of("Passing", 1, "Warning", 1));
        start(new ConsulSettings(URI.create("http://" + consul.address()), "s3cr3t-token", null, "dc1", "v2", true,
                Duration.ofSeconds(30), Map.of("web", "frontend")));
        await().atMost(SOON).until(() -> listener.replaced);
        // Only services with the tag are watched, only tagged instances count; web is renamed.
        assertThat(listener.state.keySet()).containsExactly(ServiceKey.of("frontend", Protocol.TCP));
        assertThat(listener.endpoints(ServiceKey.of("frontend", Protocol.TCP))).containsExactly("127.0.0.1:8081");
        assertThat(consul.requests()).isNotEmpty().allSatisfy(r -> {
            assertThat(r.token()).isEqualTo("s3cr3t-token");
            assertThat(r.query().get("dc")).containsExactly("dc1");
        });
        assertThat(consul.requests()).filteredOn(r -> r.path().startsWith("/v1/health/"))
                .allSatisfy(r -> assertThat(r.query().get("tag")).containsExactly("v2"));
        source.close();

        RecordingListener wrong = new RecordingListener();
        source = new ConsulSource(new ConsulSettings(URI.create("http://" + consul.address()), "wrong", null, null,
                null, true, Duration.ofSeconds(30), Map.of()), metrics, Clock.systemUTC());
        source.start(wrong);
        await().atMost(SOON).until(() -> !wrong.errors.isEmpty());
        assertThat(wrong.errors.get(0)).contains("HTTP 403: ACL not found");
        assertThat(wrong.replaced).isFalse();
    }

    @Test
    void closeCancelsTheHeldRequestsAtOnce() {
        consul.register("web", "web-1", "127.0.0.1", 8081);
        start(settings(Duration.ofMinutes(5)));
        await().atMost(SOON).until(() -> consul.held() == 3);
        int before = consul.requests().size();
        long t0 = System.nanoTime();
        source.close();
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2000);
        // The registry sees the held requests' connections close: it holds nothing for a closed source.
        await().atMost(Duration.ofSeconds(2)).until(() -> consul.held() == 0);
        consul.register("web", "web-2", "127.0.0.1", 8082);
        assertThat(consul.requests()).hasSize(before);
    }
}
