package io.junction.reliability.scenarios;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.junction.agent.discovery.OutageRelay;
import io.junction.reliability.frame.AgentProcess;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.KubernetesApiServer;
import io.junction.reliability.frame.Ports;
import io.junction.reliability.frame.ReportExtension;
import io.junction.reliability.frame.Scenario;
import io.junction.reliability.frame.ScenarioInfo;
import io.junction.reliability.frame.Size;
import io.junction.reliability.traffic.OutageBackends;
import io.junction.reliability.traffic.OutageTraffic;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.junction.reliability.scenarios.ConsulSilentWatchScenarioTest.recordSilenceFigures;
import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.agentConfig;
import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.awaitConvergence;
import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.awaitOrFail;
import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.createService;
import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.putSlice;

/**
 * Scenario 21c: the Kubernetes watches gone silent. The agent reaches the mock API server through a relay that freezes
 * the open connections (watches included: open, no bytes, no FIN, no RST); the slice changes right after. Nothing in
 * the agent's source bounds a silent watch (it cannot tell one from a quiet cluster); Fabric8's informer does: its
 * Reflector closes every watch after a random 5 to 10 minutes (Reflector.minTimeout, 5 min, not settable through the
 * client's public API; the {@code timeoutSeconds} it sends the server is 10 min and cannot reach the client through a
 * silent path), Vert.x closes the WebSocket {@value #CLOSING_TIMEOUT_SECONDS} s after an unanswered close frame, and
 * the watch manager then opens a new watch on a new connection, which delivers the change. The bound is therefore
 * 10 min + {@value #CLOSING_TIMEOUT_SECONDS} s, and the scenario runs at full size only (it waits for it).
 */
@ExtendWith(ReportExtension.class)
class KubernetesSilentWatchScenarioTest {
    /** Vert.x's WebSocketClientOptions closing timeout (default), which Fabric8 does not change. */
    static final int CLOSING_TIMEOUT_SECONDS = 10;
    /** Fabric8: each watch closed after (1 + random) x 5 min. */
    static final Duration FABRIC8_WATCH_RESTART = Duration.ofMinutes(10);
    /** Time to reconnect, receive the objects, deliver them and connect. */
    static final Duration MARGIN = Duration.ofSeconds(5);

    /** Client threads and their pause between connections. */
    record Params(int clients, long pauseMillis) {
        static Params of(Size size) {
            return size.pick(new Params(2, 10), new Params(2, 20));
        }
    }

    @TempDir
    Path dir;

    // Once, not a @FaultRow: each run waits out Fabric8's 5 to 10 min watch restart, and three would not fit the
    // full run's 45 minutes.
    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "21c", title = "Kubernetes watch gone silent")
    void aSilentWatchEndsWhenFabric8RestartsItAndTheChangeConverges(Scenario scenario) throws Exception {
        Assumptions.assumeTrue(scenario.size() == Size.FULL, "the bound is Fabric8's 5 to 10 min watch restart; "
                + "measured at full size (-Preliability) only");
        Params p = Params.of(scenario.size());
        Duration bound = FABRIC8_WATCH_RESTART.plusSeconds(CLOSING_TIMEOUT_SECONDS).plus(MARGIN);
        scenario.note("API server reached through a relay that freezes the open connections (watches: no bytes, no "
                + "FIN, no RST; new connections pass); the slice changes from [kept, removed] to [kept, added] right "
                + "after; bound = Fabric8's watch restart (at most 10 min) + Vert.x closing timeout "
                + CLOSING_TIMEOUT_SECONDS + " s + " + MARGIN.toSeconds() + " s; " + p.clients() + " client threads, "
                + "a new connection every " + p.pauseMillis() + " ms each; /readyz every 250 ms");
        int admin = Ports.free();
        int listen = Ports.free();
        try (KubernetesApiServer api = new KubernetesApiServer();
             KubernetesClient client = api.client();
             OutageRelay relay = new OutageRelay(api.port());
             OutageBackends backends = OutageBackends.start()) {
            createService(client);
            putSlice(client, backends.port(), "127.0.0.1", "127.0.0.2");
            try (AgentProcess agent = AgentProcess.startReady(agentConfig(dir, admin, listen, relay.port()), admin,
                    dir.resolve("agent.log"));
                 OutageTraffic traffic = new OutageTraffic(listen, p.clients(), p.pauseMillis(), agent,
                         bound.plusMinutes(2))) {
                awaitOrFail(() -> !backends.kept().accepts().isEmpty() && !backends.removed().accepts().isEmpty(),
                        Duration.ofSeconds(15), "traffic never reached both first backends", agent);
                awaitOrFail(() -> api.openWatches("endpointslices") >= 1, Duration.ofSeconds(10),
                        "the agent's watches never opened", agent);

                long frozenAt = System.nanoTime();
                int frozen = relay.freeze();
                putSlice(client, backends.port(), "127.0.0.1", "127.0.0.3");
                awaitConvergence(backends, frozenAt, bound.plusSeconds(30));
                Thread.sleep(1000);
                OutageTraffic.Convergence c = OutageTraffic.convergence(frozenAt, backends.added(),
                        backends.removed());
                traffic.stop();
                String log = agent.outputQuietly();
                scenario.note(frozen + " relay connections frozen; agent log: api_server=lost "
                        + log.contains("api_server=lost"));
                scenario.figure("relay connections frozen (the agent's watches)", frozen, "", Bound.AT_LEAST, 2);
                recordSilenceFigures(scenario, traffic, frozenAt, c, bound);
                scenario.assertPassed();
            }
        }
    }
}
