package io.junction.reliability.scenarios;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.junction.agent.discovery.OutageRelay;
import io.junction.agent.discovery.kubernetes.MockApi;
import io.junction.reliability.frame.AgentConfig;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Scenario 18: the Kubernetes API server gone for a while. The agent (its own JVM) reaches the mock API server through
 * a relay the test cuts: connections reset, new ones refused, while the server keeps running and takes a change made
 * halfway through (the Service's slice loses one backend and gains another). Clients open connections throughout;
 * none may fail, readiness must stay 200, and once the relay is back the change must reach the data path within 5 s.
 */
@ExtendWith(ReportExtension.class)
class KubernetesApiOutageScenarioTest {
    static final String NAMESPACE = "shop";
    static final String SERVICE = "web";
    static final String SLICE = "web-x";
    static final long CONVERGE_MILLIS = 5000;

    /** How long the API server is away, client threads and their pause between connections. */
    record Params(Duration outage, int clients, long pauseMillis) {
        static Params of(Size size) {
            return size.pick(new Params(Duration.ofSeconds(10), 2, 10), new Params(Duration.ofMinutes(2), 2, 10));
        }
    }

    @TempDir
    Path dir;

    @FaultRow
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "18", title = "Kubernetes API server down")
    void theLastKnownStateServesThroughTheOutageAndChangesConvergeWhenItReturns(Scenario scenario) throws Exception {
        Params p = Params.of(scenario.size());
        scenario.note("API server (Fabric8 mock, CRUD) cut off for " + p.outage().toSeconds() + " s by a relay "
                + "(connections reset, new ones refused); halfway through, the slice changes from [kept, removed] to "
                + "[kept, added]; " + p.clients() + " client threads, a new connection every " + p.pauseMillis()
                + " ms each; /readyz every 250 ms");
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
                         p.outage().plusMinutes(2))) {
                awaitOrFail(() -> !backends.kept().accepts().isEmpty() && !backends.removed().accepts().isEmpty(),
                        Duration.ofSeconds(15), "traffic never reached both first backends", agent);

                long down = System.nanoTime();
                relay.cut();
                Thread.sleep(p.outage().toMillis() / 2);
                putSlice(client, backends.port(), "127.0.0.1", "127.0.0.3");
                Thread.sleep(p.outage().toMillis() / 2);
                int connectionsToAddedDuringOutage = backends.added().accepts().size();
                long back = System.nanoTime();
                relay.restore();
                awaitConvergence(backends, back);
                Thread.sleep(1000); // room for a late connection to the removed backend to show
                OutageTraffic.Convergence c = OutageTraffic.convergence(back, backends.added(), backends.removed());
                traffic.stop();
                String log = agent.outputQuietly();
                recordOutageFigures(scenario, traffic, down, back, c, connectionsToAddedDuringOutage);
                scenario.figure("loss logged by the agent (api_server=lost)", log.contains("api_server=lost") ? 1 : 0,
                        "", Bound.EXACTLY, 1);
                scenario.note("agent log: api_server=lost " + log.contains("api_server=lost")
                        + ", api_server=recovered " + log.contains("api_server=recovered"));
                scenario.assertPassed();
            }
        }
    }

    /**
     * The figures every outage scenario records: failed connections and not-ready answers during the outage and
     * after, the convergence of the change made meanwhile, and that the added endpoint saw nothing while away.
     */
    static void recordOutageFigures(Scenario scenario, OutageTraffic traffic, long down, long back,
                                    OutageTraffic.Convergence c, int connectionsToAddedDuringOutage) {
        recordOutageFigures(scenario, traffic, down, back, c, connectionsToAddedDuringOutage, "the outage",
                "source back", CONVERGE_MILLIS);
    }

    /**
     * The same, {@code outage} naming the period from {@code down} to {@code back}, {@code event} what happened at
     * {@code back}, and {@code convergeMillis} the bound on the convergence after it.
     */
    static void recordOutageFigures(Scenario scenario, OutageTraffic traffic, long down, long back,
                                    OutageTraffic.Convergence c, int connectionsToAddedDuringOutage, String outage,
                                    String event, double convergeMillis) {
        scenario.note(traffic.connections() + " connections in all; " + c.describe()
                + (traffic.failures() == 0 ? "" : "; failures: " + traffic.failureSamples()));
        scenario.figure("failed connections during " + outage, traffic.failuresBetween(down, back), "",
                Bound.EXACTLY, 0);
        scenario.figure("failed connections after it", traffic.failuresBetween(back, Long.MAX_VALUE), "",
                Bound.EXACTLY, 0);
        scenario.figure("/readyz answers other than 200", traffic.notReady(), "", Bound.EXACTLY, 0);
        scenario.figure("connections to the added endpoint before " + event, connectionsToAddedDuringOutage, "",
                Bound.EXACTLY, 0);
        scenario.figure(event + " to first connection on the added endpoint", c.firstToAddedMillis() < 0
                ? c.watchedMillis() : c.firstToAddedMillis(), "ms", Bound.AT_MOST, convergeMillis);
        scenario.figure(event + " to last connection on the removed endpoint", c.lastToRemovedMillis(), "ms",
                Bound.AT_MOST, convergeMillis);
    }

    /** Waits (at most 60 s) until the added backend took a connection after {@code back}. */
    static void awaitConvergence(OutageBackends backends, long back) throws InterruptedException {
        awaitConvergence(backends, back, Duration.ofSeconds(60));
    }

    /** Waits (at most {@code atMost}) until the added backend took a connection after {@code back}. */
    static void awaitConvergence(OutageBackends backends, long back, Duration atMost) throws InterruptedException {
        long until = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < until && backends.added().accepts().stream().noneMatch(t -> t >= back)) {
            Thread.sleep(20);
        }
    }

    static void awaitOrFail(BooleanSupplier condition, Duration atMost, String what, AgentProcess agent)
            throws InterruptedException {
        long until = System.nanoTime() + atMost.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException(what + " within " + atMost + "; agent output:\n"
                        + agent.outputQuietly());
            }
            Thread.sleep(20);
        }
    }

    static Path agentConfig(Path dir, int admin, int listen, int apiPort) throws Exception {
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), MockApi.kubeconfig(apiPort));
        return AgentConfig.write(dir.resolve("junction.yaml"), AgentConfig.head(admin) + """
                discovery:
                  kubernetes:
                    kubeconfig: %s
                    nodeName: n1
                services:
                  - {name: %s, namespace: %s, port: http, listen: 127.0.0.1:%d}
                """.formatted(kubeconfig, SERVICE, NAMESPACE, listen));
    }

    /** Service shop/web with one TCP port named http. */
    static void createService(KubernetesClient client) {
        client.services().resource(new ServiceBuilder().withNewMetadata().withNamespace(NAMESPACE)
                .withName(SERVICE).endMetadata().withNewSpec().withClusterIP("10.96.0.10")
                .withClusterIPs("10.96.0.10").withType("ClusterIP").withPorts(new ServicePortBuilder()
                        .withName("http").withPort(80).withProtocol("TCP").build()).endSpec().build()).create();
    }

    /** Creates or replaces the service's one slice: port http = {@code port}, one ready endpoint per address. */
    static void putSlice(KubernetesClient client, int port, String... addresses) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (String a : addresses) {
            endpoints.add(new EndpointBuilder().withAddresses(a).withNodeName("n1").withNewConditions()
                    .withReady(true).withServing(true).withTerminating(false).endConditions().build());
        }
        client.discovery().v1().endpointSlices().resource(new EndpointSliceBuilder().withNewMetadata()
                .withNamespace(NAMESPACE).withName(SLICE).addToLabels("kubernetes.io/service-name", SERVICE)
                .endMetadata().withAddressType("IPv4").withPorts(new EndpointPortBuilder().withName("http")
                        .withPort(port).withProtocol("TCP").build()).withEndpoints(endpoints).build())
                .createOr(NonDeletingOperation::update);
    }
}
