package io.junction.reliability.scenarios;

import io.junction.agent.discovery.OutageRelay;
import io.junction.reliability.frame.AgentConfig;
import io.junction.reliability.frame.AgentProcess;
import io.junction.reliability.frame.FaultRow;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.Ports;
import io.junction.reliability.frame.RegistryClient;
import io.junction.reliability.frame.ReportExtension;
import io.junction.reliability.frame.Scenario;
import io.junction.reliability.frame.ScenarioInfo;
import io.junction.reliability.frame.Size;
import io.junction.reliability.traffic.OutageBackends;
import io.junction.reliability.traffic.OutageTraffic;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.junction.reliability.frame.RegistryClient.expectOk;
import static io.junction.reliability.scenarios.ConsulRegistryOutageScenarioTest.registryConfig;
import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.awaitConvergence;
import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.awaitOrFail;

/**
 * Scenario 21b: the Consul watch gone silent. The agent's blocking queries to the registry (a second agent's
 * {@code discovery.registry}) pass through a relay that freezes them: the connections stay open and carry nothing
 * more, no FIN, no RST; they are frozen a second after the watches sent fresh blocking queries (a change answered
 * the ones held before), the worst case. Right after, the registrations change at the registry. What bounds the
 * silence is the source's request timeout, {@code wait + wait/16 + 10 s} (ConsulClient: the longest a registry may
 * hold a blocking query, with Consul's jitter, plus time for the answer to travel); then the watch fails, backs off
 * (at most 250 ms after a first failure) and reads afresh on a new connection. The change must reach the data path
 * within that bound and a second of margin; no connection may fail and readiness must hold meanwhile.
 */
@ExtendWith(ReportExtension.class)
class ConsulSilentWatchScenarioTest {
    /** The first backoff after a failure (Backoff: 250 ms ceiling) and time to read, deliver and connect. */
    private static final Duration MARGIN = Duration.ofMillis(1250);

    /** The blocking query's {@code wait} (the bound follows from it), client threads, their pause. */
    record Params(Duration blockingWait, int clients, long pauseMillis) {
        static Params of(Size size) {
            // Full: the default wait (55 s); small: a short one, so the bound is 12.1 s.
            return size.pick(new Params(Duration.ofSeconds(2), 2, 10), new Params(Duration.ofSeconds(55), 2, 10));
        }

        /** ConsulClient's timeout of one request: wait, Consul's wait/16 of jitter, 10 s for the answer. */
        Duration requestTimeout() {
            return blockingWait.plus(blockingWait.dividedBy(16)).plusSeconds(10);
        }
    }

    @TempDir
    Path dir;

    @FaultRow
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "21b", title = "Consul watch gone silent")
    void aSilentBlockingQueryEndsAtTheRequestTimeoutAndTheChangeConverges(Scenario scenario) throws Exception {
        Params p = Params.of(scenario.size());
        Duration bound = p.requestTimeout().plus(MARGIN);
        scenario.note("discovery.consul wait " + p.blockingWait().toSeconds() + " s through a relay that freezes the "
                + "open connections (no bytes, no FIN, no RST; new connections pass); the registrations change at the "
                + "registry right after; bound = request timeout " + p.requestTimeout().toMillis() + " ms (wait + "
                + "wait/16 + 10 s) + " + MARGIN.toMillis() + " ms (first backoff, read, connect); " + p.clients()
                + " client threads, a new connection every " + p.pauseMillis() + " ms each; /readyz every 250 ms");
        int registryAdmin = Ports.free();
        int registryPort = Ports.free();
        int admin = Ports.free();
        int listen = Ports.free();
        Path registryConfig = registryConfig(dir, registryAdmin, registryPort);
        try (AgentProcess registry = AgentProcess.startReady(registryConfig, registryAdmin,
                dir.resolve("registry.log"));
             OutageRelay relay = new OutageRelay(registryPort);
             OutageBackends backends = OutageBackends.start()) {
            RegistryClient workloads = new RegistryClient("127.0.0.1", registryPort, null);
            expectOk(workloads.register("kept", "web", "127.0.0.1", backends.port()));
            expectOk(workloads.register("removed", "web", "127.0.0.2", backends.port()));
            Path config = AgentConfig.write(dir.resolve("junction.yaml"), AgentConfig.head(admin) + """
                    discovery:
                      consul:
                        address: 127.0.0.1:%d
                        wait: %ds
                    services:
                      - {name: web, listen: 127.0.0.1:%d}
                    """.formatted(relay.port(), p.blockingWait().toSeconds(), listen));
            try (AgentProcess agent = AgentProcess.startReady(config, admin, dir.resolve("agent.log"));
                 OutageTraffic traffic = new OutageTraffic(listen, p.clients(), p.pauseMillis(), agent,
                         bound.plusMinutes(2))) {
                awaitOrFail(() -> !backends.kept().accepts().isEmpty() && !backends.removed().accepts().isEmpty(),
                        Duration.ofSeconds(15), "traffic never reached both first backends", agent);
                // The worst case: freeze right after the watches sent fresh blocking queries. A change (kept gets a
                // tag) answers the held ones; their successors go out within 100 ms and are held for the whole wait.
                expectOk(workloads.put("/v1/agent/service/register", """
                        {"ID": "kept", "Name": "web", "Address": "127.0.0.1", "Port": %d, "Tags": ["renewed"]}"""
                        .formatted(backends.port()), "application/json"));
                Thread.sleep(1000);

                long frozenAt = System.nanoTime();
                int frozen = relay.freeze();
                expectOk(workloads.deregister("removed"));
                expectOk(workloads.register("added", "web", "127.0.0.3", backends.port()));
                awaitConvergence(backends, frozenAt, bound.plusSeconds(30));
                Thread.sleep(1000);
                OutageTraffic.Convergence c = OutageTraffic.convergence(frozenAt, backends.added(),
                        backends.removed());
                traffic.stop();
                scenario.note(frozen + " relay connections frozen; the registry (pid " + registry.jvm().pid()
                        + ") stayed up; the agent counted "
                        + (long) agent.metric("junction_consul_requests_total", "result=\"error\"")
                        + " failed reads");
                agent.outputQuietly().lines().filter(l -> l.contains("source=consul registry="))
                        .forEach(l -> scenario.note("agent: " + l.substring(l.indexOf("source=consul"))));
                scenario.figure("relay connections frozen (the agent's held queries)", frozen, "", Bound.AT_LEAST,
                        1);
                recordSilenceFigures(scenario, traffic, frozenAt, c, bound);
                scenario.assertPassed();
            }
        }
    }

    /** Failed connections and not-ready answers from the freeze on, and the convergence against the bound. */
    static void recordSilenceFigures(Scenario scenario, OutageTraffic traffic, long frozenAt,
                                     OutageTraffic.Convergence c, Duration bound) {
        scenario.note(traffic.connections() + " connections in all; " + c.describe() + " the freeze"
                + (traffic.failures() == 0 ? "" : "; failures: " + traffic.failureSamples()));
        scenario.figure("failed connections from the freeze on", traffic.failuresBetween(frozenAt, Long.MAX_VALUE),
                "", Bound.EXACTLY, 0);
        scenario.figure("/readyz answers other than 200", traffic.notReady(), "", Bound.EXACTLY, 0);
        scenario.figure("freeze to first connection on the added endpoint", c.firstToAddedMillis() < 0
                ? c.watchedMillis() : c.firstToAddedMillis(), "ms", Bound.AT_MOST, bound.toMillis());
        scenario.figure("freeze to last connection on the removed endpoint", c.lastToRemovedMillis(), "ms",
                Bound.AT_MOST, bound.toMillis());
    }
}
