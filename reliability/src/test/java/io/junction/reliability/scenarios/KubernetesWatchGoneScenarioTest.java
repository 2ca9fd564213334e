package io.junction.reliability.scenarios;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.junction.reliability.frame.AgentProcess;
import io.junction.reliability.frame.FaultRow;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.KubernetesApiServer;
import io.junction.reliability.frame.Ports;
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

import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.CONVERGE_MILLIS;
import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.agentConfig;
import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.awaitConvergence;
import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.awaitOrFail;
import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.createService;
import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.putSlice;
import static io.junction.reliability.scenarios.KubernetesApiOutageScenarioTest.recordOutageFigures;

/**
 * Scenario 21a: a watch answered with 410 Gone. The mock API server keeps the agent's watches open but stops
 * delivering their events (as when the API server's event history was compacted under a lagging watch); the slice
 * changes meanwhile, unseen; then every open watch gets the ERROR event with code 410 (reason Expired) that
 * kube-apiserver sends for a resource version too old, and is closed. The informers must relist, and the change
 * reach the data path within 5 s of the 410; no connection may fail and readiness must hold throughout.
 */
@ExtendWith(ReportExtension.class)
class KubernetesWatchGoneScenarioTest {
    /** How long the watches stay muted (the change unseen) before the 410, client threads, their pause. */
    record Params(Duration muted, int clients, long pauseMillis) {
        static Params of(Size size) {
            return size.pick(new Params(Duration.ofSeconds(3), 2, 10), new Params(Duration.ofSeconds(30), 2, 10));
        }
    }

    @TempDir
    Path dir;

    @FaultRow
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "21a", title = "Kubernetes watch answered 410 Gone")
    void a410MakesTheInformersRelistAndTheChangeTheyMissedConverges(Scenario scenario) throws Exception {
        Params p = Params.of(scenario.size());
        scenario.note("the mock API server mutes the agent's open watches (connected, no events), the slice changes "
                + "from [kept, removed] to [kept, added], " + p.muted().toSeconds() + " s later every open watch gets "
                + "{type: ERROR, object: Status code 410 reason Expired} and is closed; " + p.clients()
                + " client threads, a new connection every " + p.pauseMillis() + " ms each; /readyz every 250 ms");
        int admin = Ports.free();
        int listen = Ports.free();
        try (KubernetesApiServer api = new KubernetesApiServer();
             KubernetesClient client = api.client();
             OutageBackends backends = OutageBackends.start()) {
            createService(client);
            putSlice(client, backends.port(), "127.0.0.1", "127.0.0.2");
            try (AgentProcess agent = AgentProcess.startReady(agentConfig(dir, admin, listen, api.port()), admin,
                    dir.resolve("agent.log"));
                 OutageTraffic traffic = new OutageTraffic(listen, p.clients(), p.pauseMillis(), agent,
                         p.muted().plusMinutes(2))) {
                awaitOrFail(() -> !backends.kept().accepts().isEmpty() && !backends.removed().accepts().isEmpty(),
                        Duration.ofSeconds(15), "traffic never reached both first backends", agent);
                awaitOrFail(() -> api.openWatches("endpointslices") >= 1 && api.openWatches("services") >= 1,
                        Duration.ofSeconds(10), "the agent's watches never opened", agent);

                long muted = System.nanoTime();
                int mutedWatches = api.muteOpenWatches();
                putSlice(client, backends.port(), "127.0.0.1", "127.0.0.3");
                Thread.sleep(p.muted().toMillis());
                int connectionsToAddedBefore = backends.added().accepts().size();
                int listsBefore = api.lists("endpointslices");
                long gone = System.nanoTime();
                int expired = api.expireOpenWatches();
                awaitConvergence(backends, gone, Duration.ofSeconds(30));
                Thread.sleep(1000);
                OutageTraffic.Convergence c = OutageTraffic.convergence(gone, backends.added(), backends.removed());
                traffic.stop();
                scenario.note(mutedWatches + " watches muted, " + expired + " answered 410; "
                        + api.openWatches("") + " open again at the end");
                scenario.figure("watches answered 410", expired, "", Bound.AT_LEAST, 2);
                scenario.figure("EndpointSlice lists after the 410 (the informer relisted)",
                        api.lists("endpointslices") - listsBefore, "", Bound.AT_LEAST, 1);
                recordOutageFigures(scenario, traffic, muted, gone, c, connectionsToAddedBefore,
                        "the muted watch", "410", CONVERGE_MILLIS);
                scenario.assertPassed();
            }
        }
    }
}
