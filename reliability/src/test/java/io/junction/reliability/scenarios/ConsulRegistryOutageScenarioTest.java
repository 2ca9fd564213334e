package io.junction.reliability.scenarios;

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

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.junction.reliability.frame.RegistryClient.expectOk;
import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.awaitConvergence;
import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.awaitOrFail;
import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.recordOutageFigures;

/**
 * Scenario 20: the Consul-compatible registry an agent watches ({@code discovery.consul}) killed with SIGKILL and
 * started again. The registry is a second Junction agent's {@code discovery.registry} (its own JVM, state in its state
 * file). Halfway through the outage the workloads change their registrations (one deregisters, a new one registers);
 * as workloads do against a registry that is down, they retry until it answers. The agent under test must serve its
 * last known state throughout, stay ready, and route by the new registrations within 5 s of the registry's return.
 */
@ExtendWith(ReportExtension.class)
class ConsulRegistryOutageScenarioTest {
    /** How long the registry is down, client threads and their pause between connections. */
    record Params(Duration outage, int clients, long pauseMillis) {
        static Params of(Size size) {
            return size.pick(new Params(Duration.ofSeconds(10), 2, 10), new Params(Duration.ofMinutes(2), 2, 10));
        }
    }

    @TempDir
    Path dir;

    @FaultRow
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "20", title = "Consul registry killed (kill -9) and back")
    void theLastKnownStateServesWhileTheRegistryIsDownAndItsChangesConvergeWhenItReturns(Scenario scenario)
            throws Exception {
        Params p = Params.of(scenario.size());
        scenario.note("registry: a second agent's discovery.registry, SIGKILLed for " + p.outage().toSeconds()
                + " s and restarted on its state file; halfway through, the workloads start retrying (every 100 ms) "
                + "to deregister `removed` and register `added`; the agent under test watches it with "
                + "discovery.consul (catalog and service blocking queries, default wait); " + p.clients()
                + " client threads, a new connection every " + p.pauseMillis() + " ms each; /readyz every 250 ms");
        int registryAdmin = Ports.free();
        int registryPort = Ports.free();
        int admin = Ports.free();
        int listen = Ports.free();
        Path registryConfig = registryConfig(dir, registryAdmin, registryPort);
        Path agentConfig = AgentConfig.write(dir.resolve("junction.yaml"), AgentConfig.head(admin) + """
                discovery:
                  consul:
                    address: 127.0.0.1:%d
                services:
                  - {name: web, listen: 127.0.0.1:%d}
                """.formatted(registryPort, listen));
        RegistryClient workloads = new RegistryClient("127.0.0.1", registryPort, null);
        AgentProcess registry = AgentProcess.startReady(registryConfig, registryAdmin, dir.resolve("registry-1.log"));
        try (OutageBackends backends = OutageBackends.start()) {
            expectOk(workloads.register("kept", "web", "127.0.0.1", backends.port()));
            expectOk(workloads.register("removed", "web", "127.0.0.2", backends.port()));
            try (AgentProcess agent = AgentProcess.startReady(agentConfig, admin, dir.resolve("agent.log"));
                 OutageTraffic traffic = new OutageTraffic(listen, p.clients(), p.pauseMillis(), agent,
                         p.outage().plusMinutes(2))) {
                awaitOrFail(() -> !backends.kept().accepts().isEmpty() && !backends.removed().accepts().isEmpty(),
                        Duration.ofSeconds(15), "traffic never reached both first backends", agent);
                // Written to the state file at most 100 ms after the change; kill -9 must not lose it.
                Thread.sleep(500);

                long down = System.nanoTime();
                registry.jvm().kill9();
                Thread.sleep(p.outage().toMillis() / 2);
                // Retrying through the rest of the outage, and for up to a minute after the registry's restart.
                Workload retrying = new Workload(workloads, backends.port(), p.outage().plusMinutes(1));
                Thread changes = new Thread(retrying, "outage-workload");
                changes.setDaemon(true);
                changes.start();
                Thread.sleep(p.outage().toMillis() / 2);
                int connectionsToAddedDuringOutage = backends.added().accepts().size();
                registry = AgentProcess.startReady(registryConfig, registryAdmin, dir.resolve("registry-2.log"));
                changes.join(60_000);
                long back = retrying.back;
                if (back == 0) {
                    throw new IllegalStateException("the workloads' changes were never accepted: " + retrying.last);
                }
                awaitConvergence(backends, back);
                Thread.sleep(1000);
                OutageTraffic.Convergence c = OutageTraffic.convergence(back, backends.added(), backends.removed());
                traffic.stop();
                scenario.note("workload retries refused while the registry was down: " + retrying.refused
                        + "; registry restarted " + Math.round((back - down) / 1e6) + " ms after the kill (its first "
                        + "answer); the agent counted " + (long) agent.metric("junction_consul_requests_total",
                        "result=\"error\"") + " failed reads");
                recordOutageFigures(scenario, traffic, down, back, c, connectionsToAddedDuringOutage);
                String log = agent.outputQuietly();
                scenario.figure("loss logged by the agent (registry=failing)",
                        log.contains("registry=failing") ? 1 : 0, "", Bound.EXACTLY, 1);
                scenario.assertPassed();
            }
        } finally {
            registry.close();
        }
    }

    /**
     * Workloads that changed while the registry was down: {@code removed} deregisters and {@code added} registers,
     * each retried every 100 ms until the registry answers 200 (at most {@code patience}). {@code back} is when the
     * request that got the first 200 was sent (nanoTime): the registry's return, as the workloads saw it.
     */
    private static final class Workload implements Runnable {
        private final RegistryClient registry;
        private final int port;
        private final Duration patience;
        volatile long back;
        volatile int refused;
        volatile String last = "nothing tried";

        Workload(RegistryClient registry, int port, Duration patience) {
            this.registry = registry;
            this.port = port;
            this.patience = patience;
        }

        @Override
        public void run() {
            long until = System.nanoTime() + patience.toNanos();
            boolean deregistered = false;
            while (System.nanoTime() < until) {
                long sent = System.nanoTime();
                try {
                    if (!deregistered) {
                        HttpResponse<String> r = registry.deregister("removed");
                        last = "deregister: " + r.statusCode();
                        deregistered = r.statusCode() == 200;
                        if (deregistered) {
                            back = sent;
                        }
                    }
                    if (deregistered) {
                        HttpResponse<String> r = registry.register("added", "web", "127.0.0.3", port);
                        last = "register: " + r.statusCode();
                        if (r.statusCode() == 200) {
                            return;
                        }
                    }
                } catch (IOException e) {
                    refused++;
                    last = e.toString();
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** An agent that is only a registry ({@code discovery.registry} on {@code port}, a state file, no services). */
    static Path registryConfig(Path dir, int admin, int port) throws IOException {
        return AgentConfig.write(dir.resolve("registry.yaml"), AgentConfig.head(admin) + """
                discovery:
                  registry:
                    listen: 127.0.0.1:%d
                    stateFile: %s
                    allowLoopback: true
                services: []
                """.formatted(port, dir.resolve("registry-state.json")));
    }
}
