package io.junction.agent.discovery.nacos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.junction.agent.discovery.nacos.FakeNacos.Instance;
import io.junction.core.model.Endpoint;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The source against fake Nacos servers on loopback that answer as the documentation says: what it hands over and
 * when, the API versions, auth, failover, and losing the registry.
 */
class NacosSourceTest {
    private static final Duration POLL = Duration.ofMillis(500);
    /** A change must show within one poll interval and a second. */
    private static final Duration WITHIN = POLL.plusSeconds(1);
    private static final ServiceKey WEB = ServiceKey.of("web", Protocol.TCP);
    private static final ServiceKey ORDERS = ServiceKey.of("orders", Protocol.TCP);

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RecordingListener listener = new RecordingListener();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private FakeNacos server(Set<NacosApi> versions) {
        FakeNacos f = new FakeNacos(versions);
        closeables.add(f);
        return f;
    }

    private NacosSource start(String serverAddr, String user, String pass, List<String> services) {
        List<NacosServer> servers = new ArrayList<>();
        for (String a : serverAddr.split(",")) {
            String[] hp = a.split(":");
            servers.add(new NacosServer("http", hp[0], Integer.parseInt(hp[1])));
        }
        NacosSettings settings = new NacosSettings(servers, "", "DEFAULT_GROUP", services, List.of(), user, pass,
                POLL, Map.of());
        NacosSource source = new NacosSource(settings, registry, Clock.systemUTC());
        closeables.add(0, source);
        source.start(listener);
        return source;
    }

    @Test
    void theFirstReadIsOneReplaceThenOnlyChangedServicesArriveWithinAPoll() {
        FakeNacos nacos = server(EnumSet.allOf(NacosApi.class));
        nacos.set("web", Instance.of("10.0.0.1", 80), Instance.of("10.0.0.2", 80).persistent());
        nacos.set("orders", Instance.of("10.0.1.1", 90));
        start(nacos.address(), null, null, List.of("web", "orders"));
        await().atMost(WITHIN).until(() -> listener.count("replace") == 1);
        assertThat(listener.state()).containsOnlyKeys(WEB, ORDERS);
        assertThat(listener.get(WEB).endpoints()).extracting(Endpoint::hostPort)
                .containsExactly("10.0.0.1:80", "10.0.0.2:80");
        // The newest API the server has is the one spoken.
        assertThat(nacos.requests()).allMatch(r -> r.startsWith("/nacos/v3/client/ns/instance/list?"));

        // Unchanged answers hand nothing over.
        int calls = nacos.listCalls();
        await().atMost(WITHIN.multipliedBy(2)).until(() -> nacos.listCalls() >= calls + 4);
        assertThat(listener.calls()).hasSize(1);

        // web's first instance turns unhealthy: one change, for web only, within a poll and a second.
        nacos.set("web", Instance.of("10.0.0.1", 80).healthy(false), Instance.of("10.0.0.2", 80).persistent());
        await().atMost(WITHIN).until(() -> listener.count("change") == 1);
        assertThat(listener.calls().get(1).key()).isEqualTo(WEB);
        assertThat(listener.get(WEB).endpoints().get(0).ready()).isFalse();

        // orders loses its last instance: its key is removed.
        nacos.set("orders");
        await().atMost(WITHIN).until(() -> !listener.state().containsKey(ORDERS));
        assertThat(listener.count("replace")).isEqualTo(1);
        assertThat(registry.get("junction.discovery.instances").tag("source", "nacos").gauge().value())
                .isEqualTo(2.0);
        assertThat(registry.get("junction.discovery.last.sync").tag("source", "nacos").gauge().value()).isPositive();
    }

    @Test
    void aServerWithoutTheNewerApisIsAskedOverTheOneItHas() {
        FakeNacos v1Only = server(EnumSet.of(NacosApi.V1));
        v1Only.set("web", Instance.of("10.0.0.1", 80));
        start(v1Only.address(), null, null, List.of("web"));
        await().atMost(WITHIN).until(() -> listener.count("replace") == 1);
        assertThat(listener.get(WEB).endpoints()).extracting(Endpoint::hostPort).containsExactly("10.0.0.1:80");
        List<String> paths = v1Only.requests().stream().map(r -> r.substring(0, r.indexOf('?'))).toList();
        assertThat(paths).startsWith("/nacos/v3/client/ns/instance/list", "/nacos/v2/ns/instance/list",
                "/nacos/v1/ns/instance/list");
        // Once found, only v1 is asked.
        await().atMost(WITHIN).until(() -> v1Only.listCalls() >= 2);
        assertThat(paths.subList(3, paths.size())).allMatch(p -> p.equals("/nacos/v1/ns/instance/list"));
        assertThat(v1Only.requests().get(2)).contains("healthyOnly=false").contains("groupName=DEFAULT_GROUP");
    }

    @Test
    void aV2ServerIsReadAndItsChecksumSparesRereading() {
        FakeNacos v2 = server(EnumSet.of(NacosApi.V2, NacosApi.V1));
        v2.set("web", Instance.of("10.0.0.1", 80).weight(5));
        start(v2.address(), null, null, List.of("web"));
        await().atMost(WITHIN).until(() -> listener.count("replace") == 1);
        assertThat(listener.get(WEB).endpoints().get(0).weight()).isEqualTo(5);
        assertThat(v2.requests()).last().asString().startsWith("/nacos/v2/ns/instance/list?");
        v2.set("web", Instance.of("10.0.0.1", 80).weight(7));
        await().atMost(WITHIN).until(() -> listener.get(WEB).endpoints().get(0).weight() == 7);
    }

    @Test
    void withAuthItLogsInSendsTheTokenAndLogsInAgainBeforeTheTtl() {
        FakeNacos nacos = server(EnumSet.allOf(NacosApi.class)).requireLogin("junction", "s3cret&=", 2);
        nacos.set("web", Instance.of("10.0.0.1", 80));
        start(nacos.address(), "junction", "s3cret&=", List.of("web"));
        await().atMost(WITHIN).until(() -> listener.count("replace") == 1);
        assertThat(nacos.requests().get(0)).isEqualTo(NacosAuth.LOGIN_PATH);
        assertThat(nacos.tokensSeen().get(0)).isEqualTo("token-1");
        // TTL 2 s: the token is renewed at 1.8 s, before the server would refuse it, so no request goes without a valid
        // token and no round fails.
        await().atMost(Duration.ofSeconds(4)).until(() -> nacos.tokensSeen().contains("token-2"));
        assertThat(listener.count("error")).isZero();
        assertThat(nacos.tokensSeen()).doesNotContainNull();
    }

    @Test
    void aRefusedTokenIsReplacedAndWrongCredentialsAreReportedAsAnError() {
        FakeNacos revoking = server(EnumSet.allOf(NacosApi.class)).requireLogin("junction", "right", 3600);
        revoking.set("web", Instance.of("10.0.0.1", 80));
        RecordingListener first = new RecordingListener();
        NacosSource source = new NacosSource(new NacosSettings(List.of(new NacosServer("http", "127.0.0.1",
                revoking.port())), "", "DEFAULT_GROUP", List.of("web"), List.of(), "junction", "right", POLL, Map.of()),
                new SimpleMeterRegistry(), Clock.systemUTC());
        closeables.add(0, source);
        source.start(first);
        await().atMost(WITHIN).until(() -> first.count("replace") == 1);
        revoking.revokeToken();
        // The 403 leads to a new login and the same request again, within the round: no error.
        await().atMost(WITHIN).until(() -> revoking.tokensSeen().contains("token-2"));
        assertThat(revoking.logins()).isEqualTo(2);
        assertThat(first.count("error")).isZero();

        FakeNacos nacos = server(EnumSet.allOf(NacosApi.class)).requireLogin("junction", "right", 3600);
        nacos.set("web", Instance.of("10.0.0.1", 80));
        start(nacos.address(), "junction", "wrong", List.of("web"));
        await().atMost(WITHIN).until(() -> listener.count("error") >= 1);
        assertThat(listener.count("replace")).isZero();
        assertThat(listener.calls().get(0).message()).contains("login as 'junction' refused").contains("403");
    }

    @Test
    void whenTheFirstServerFailsTheNextOneAnswersAndIsKept() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        FakeNacos second = server(EnumSet.allOf(NacosApi.class));
        second.set("web", Instance.of("10.0.0.1", 80));
        start("127.0.0.1:" + dead + "," + second.address(), null, null, List.of("web"));
        await().atMost(WITHIN).until(() -> listener.count("replace") == 1);
        assertThat(listener.count("error")).isZero();

        // Two servers: the one in use goes down, the other (back now on the first's behalf) takes over.
        FakeNacos a = server(EnumSet.allOf(NacosApi.class));
        FakeNacos b = server(EnumSet.allOf(NacosApi.class));
        a.set("orders", Instance.of("10.0.1.1", 90));
        b.set("orders", Instance.of("10.0.1.1", 90), Instance.of("10.0.1.2", 90));
        RecordingListener other = new RecordingListener();
        NacosSource source = new NacosSource(new NacosSettings(List.of(new NacosServer("http", "127.0.0.1", a.port()),
                new NacosServer("http", "127.0.0.1", b.port())), "", "DEFAULT_GROUP", List.of("orders"), List.of(),
                null, null, POLL, Map.of()), new SimpleMeterRegistry(), Clock.systemUTC());
        closeables.add(0, source);
        source.start(other);
        await().atMost(WITHIN).until(() -> other.get(ORDERS) != null);
        assertThat(other.get(ORDERS).endpoints()).hasSize(1);
        int bCallsBefore = b.listCalls();
        assertThat(bCallsBefore).isZero();
        a.down();
        await().atMost(WITHIN).until(() -> other.get(ORDERS).endpoints().size() == 2);
        assertThat(other.count("error")).isZero();
        // It stays with b while b answers, even once a is back.
        a.up();
        int aCalls = a.listCalls();
        await().atMost(WITHIN.multipliedBy(2)).until(() -> b.listCalls() >= 4);
        assertThat(a.listCalls()).isEqualTo(aCalls);
    }

    @Test
    void aLostRegistryKeepsTheLastStateReportsItAndRecovers() {
        FakeNacos nacos = server(EnumSet.allOf(NacosApi.class));
        nacos.set("web", Instance.of("10.0.0.1", 80));
        start(nacos.address(), null, null, List.of("web"));
        await().atMost(WITHIN).until(() -> listener.count("replace") == 1);
        nacos.down();
        await().atMost(WITHIN).until(() -> listener.count("error") >= 2);
        assertThat(listener.state()).containsOnlyKeys(WEB);
        assertThat(listener.calls()).filteredOn(c -> c.kind().equals("error")).first().extracting(c -> c.message())
                .asString().contains("serving the last known state").contains(nacos.address());
        assertThat(registry.get("junction.discovery.errors").tag("source", "nacos").counter().count()).isGreaterThan(1);
        nacos.set("web", Instance.of("10.0.0.1", 80), Instance.of("10.0.0.2", 80));
        nacos.up();
        // Recovery hands the whole state over again (which also clears the error in the status).
        await().atMost(WITHIN).until(() -> listener.count("replace") == 2);
        assertThat(listener.get(WEB).endpoints()).hasSize(2);
    }

    @Test
    void aMalformedInstanceIsLeftOutAndLoggedOnceWhileItStaysSo() {
        Logger logger = (Logger) LoggerFactory.getLogger(NacosSource.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try {
            FakeNacos nacos = server(EnumSet.of(NacosApi.V3));
            nacos.setRaw("web", "{\"ip\":\"10.0.0.1\",\"port\":80}", "{\"ip\":\"10.0.0.2\",\"port\":0}");
            start(nacos.address(), null, null, List.of("web"));
            await().atMost(WITHIN).until(() -> listener.count("replace") == 1);
            assertThat(listener.get(WEB).endpoints()).extracting(Endpoint::hostPort).containsExactly("10.0.0.1:80");
            int calls = nacos.listCalls();
            await().atMost(WITHIN.multipliedBy(2)).until(() -> nacos.listCalls() >= calls + 3);
            assertThat(logs.list).filteredOn(e -> e.getFormattedMessage().contains("instance=skipped"))
                    .singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                    .contains("service=web instance=10.0.0.2:0").contains("port 0 is not in 1..65535");
        } finally {
            logger.detachAppender(logs);
        }
    }

    @Test
    void anUnreachableRegistryAtStartIsNeverSyncedUntilItAnswers() throws Exception {
        FakeNacos nacos = server(EnumSet.allOf(NacosApi.class));
        nacos.set("web", Instance.of("10.0.0.1", 80));
        nacos.down();
        start(nacos.address(), null, null, List.of("web"));
        await().atMost(WITHIN).until(() -> listener.count("error") >= 2);
        assertThat(listener.count("replace")).isZero();
        assertThat(listener.calls().get(0).message()).contains("not synced yet");
        nacos.up();
        await().atMost(WITHIN).until(() -> listener.count("replace") == 1);
    }
}
