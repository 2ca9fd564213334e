package io.junction.reliability.scenarios;

import io.junction.agent.discovery.OutageRelay;
import io.junction.reliability.frame.AgentConfig;
import io.junction.reliability.frame.AgentProcess;
import io.junction.reliability.frame.FaultRow;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.Ports;
import io.junction.reliability.frame.ReportExtension;
import io.junction.reliability.frame.Scenario;
import io.junction.reliability.frame.ScenarioInfo;
import io.junction.reliability.frame.Size;
import io.junction.reliability.traffic.OutageBackends;
import io.junction.reliability.traffic.OutageTraffic;
import io.junction.reliability.traffic.ZooKeeperRegistrar;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.awaitConvergence;
import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.awaitOrFail;
import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.recordOutageFigures;

/**
 * Scenario 19: ZooKeeper sessions lost. The agent ({@code discovery.zookeeper}) and the service registrar each reach
 * ZooKeeper through a relay; both relays are cut for longer than the session timeout, so ZooKeeper expires both
 * sessions and deletes the registrar's ephemeral instances. Mid-outage the registrar's link comes back: it gets a new
 * session, creates its instances again, and one changes (one unregistered, a new one registered). Then the agent's
 * link comes back: it must have served its last known state throughout (no removal because ZooKeeper went away),
 * stayed ready, and must route by the registry's new state within 5 s, on a new session.
 */
@ExtendWith(ReportExtension.class)
class ZooKeeperSessionLossScenarioTest {
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(4);
    /** ZooKeeper's tick: sessions between 2 and 20 ticks, so the 4 s asked for is granted. */
    private static final int TICK_MILLIS = 500;

    /** How long the agent is cut off from ZooKeeper (over the session timeout), client threads, their pause. */
    record Params(Duration outage, int clients, long pauseMillis) {
        static Params of(Size size) {
            return size.pick(new Params(Duration.ofSeconds(14), 2, 10), new Params(Duration.ofMinutes(1), 2, 10));
        }
    }

    @TempDir
    Path dir;

    @FaultRow
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "19", title = "ZooKeeper session expired")
    void theLastKnownStateServesAcrossSessionExpiryAndTheRegistryAfterItConverges(Scenario scenario)
            throws Exception {
        Params p = Params.of(scenario.size());
        scenario.note("agent and registrar each cut off from ZooKeeper (curator-test server, tick " + TICK_MILLIS
                + " ms) for " + p.outage().toSeconds() + " s, sessions of " + SESSION_TIMEOUT.toSeconds() + " s; "
                + "the registrar's link returns halfway: new session, instances re-created (Curator PersistentNode), "
                + "`removed` unregistered, `added` registered; " + p.clients() + " client threads, a new connection "
                + "every " + p.pauseMillis() + " ms each; /readyz every 250 ms");
        int admin = Ports.free();
        int listen = Ports.free();
        InstanceSpec spec = new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, 1, TICK_MILLIS, -1);
        try (TestingServer zk = new TestingServer(spec, true);
             OutageRelay agentLink = new OutageRelay(zk.getPort());
             OutageRelay registrarLink = new OutageRelay(zk.getPort());
             CuratorFramework observer = CuratorFrameworkFactory.newClient(zk.getConnectString(), 10_000, 5_000,
                     new RetryOneTime(200));
             OutageBackends backends = OutageBackends.start();
             ZooKeeperRegistrar registrar = new ZooKeeperRegistrar("127.0.0.1:" + registrarLink.port(),
                     SESSION_TIMEOUT)) {
            observer.start();
            registrar.register("web", "kept", "127.0.0.1", backends.port());
            registrar.register("web", "removed", "127.0.0.2", backends.port());
            awaitInstances(observer, Set.of("kept", "removed"), Duration.ofSeconds(10));
            Path config = AgentConfig.write(dir.resolve("junction.yaml"), AgentConfig.head(admin) + """
                    discovery:
                      zookeeper:
                        connect: 127.0.0.1:%d
                        sessionTimeout: %ds
                        connectionTimeout: 2s
                    services:
                      - {name: web, listen: 127.0.0.1:%d}
                    """.formatted(agentLink.port(), SESSION_TIMEOUT.toSeconds(), listen));
            try (AgentProcess agent = AgentProcess.startReady(config, admin, dir.resolve("agent.log"));
                 OutageTraffic traffic = new OutageTraffic(listen, p.clients(), p.pauseMillis(), agent,
                         p.outage().plusMinutes(2))) {
                awaitOrFail(() -> !backends.kept().accepts().isEmpty() && !backends.removed().accepts().isEmpty(),
                        Duration.ofSeconds(15), "traffic never reached both first backends", agent);
                long registrarSession = registrar.sessionId();

                long down = System.nanoTime();
                agentLink.cut();
                registrarLink.cut();
                // ZooKeeper expires the registrar's session after its timeout: its ephemeral instances go.
                boolean expired = awaitInstances(observer, Set.of(), p.outage().dividedBy(2));
                registrarLink.restore();
                if (!awaitInstances(observer, Set.of("kept", "removed"), Duration.ofSeconds(20))) {
                    throw new IllegalStateException("the registrar did not re-register within 20 s of its return");
                }
                boolean newRegistrarSession = registrar.sessionId() != registrarSession;
                registrar.unregister("web", "removed");
                registrar.register("web", "added", "127.0.0.3", backends.port());
                if (!awaitInstances(observer, Set.of("kept", "added"), Duration.ofSeconds(10))) {
                    throw new IllegalStateException("the registrar's change did not reach ZooKeeper within 10 s");
                }
                long left = down + p.outage().toNanos() - System.nanoTime();
                if (left < TimeUnit.SECONDS.toNanos(1)) {
                    throw new IllegalStateException("the registrar took the whole outage to come back");
                }
                TimeUnit.NANOSECONDS.sleep(left);
                int connectionsToAddedDuringOutage = backends.added().accepts().size();
                long back = System.nanoTime();
                agentLink.restore();
                awaitConvergence(backends, back);
                Thread.sleep(1000);
                OutageTraffic.Convergence c = OutageTraffic.convergence(back, backends.added(), backends.removed());
                traffic.stop();
                String log = agent.outputQuietly();
                recordOutageFigures(scenario, traffic, down, back, c, connectionsToAddedDuringOutage);
                scenario.figure("registrar's instances expired by ZooKeeper during the outage", expired ? 2 : 0, "",
                        Bound.EXACTLY, 2);
                scenario.figure("registrar re-registered on a new session", newRegistrarSession ? 1 : 0, "",
                        Bound.EXACTLY, 1);
                scenario.figure("agent back on a new session (zookeeper=recovered ... session=new)",
                        log.contains("session=new") ? 1 : 0, "", Bound.EXACTLY, 1);
                scenario.assertPassed();
            }
        }
    }

    /** Waits until the registry's instances of web are exactly {@code ids}; whether they became so in time. */
    private static boolean awaitInstances(CuratorFramework zk, Set<String> ids, Duration atMost) throws Exception {
        long until = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < until) {
            List<String> now = zk.checkExists().forPath("/services/web") == null ? List.of()
                    : zk.getChildren().forPath("/services/web");
            if (new TreeSet<>(now).equals(new TreeSet<>(ids))) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }
}
