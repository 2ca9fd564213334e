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
import io.junction.reliability.traffic.GreetingBackend;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.junction.reliability.frame.RegistryClient.expectOk;

/**
 * Scenario 8: endpoint churn through the registry API at a fixed rate of updates per second. Two stable endpoints are
 * registered throughout; a set of churned endpoints (live backends) is registered and deregistered in turn, one
 * update every 10 ms, while clients keep making new connections. Then every churned endpoint is deregistered and the
 * clients go on for a while. No connection may fail; a removed endpoint gets no new connection later than the bound
 * after its removal; the agent publishes fewer snapshots than updates were made (it coalesces).
 */
@ExtendWith(ReportExtension.class)
class EndpointChurnScenarioTest {
    private static final Pattern SNAPSHOT_VERSION = Pattern.compile("\"snapshotVersion\"\\s*:\\s*(\\d+)");

    /** Updates made (one per 10 ms), churned endpoints, client threads and their pause between connections. */
    record Params(int updates, int churned, int clients, long clientPauseMillis) {
        static Params of(Size size) {
            return size.pick(new Params(300, 8, 2, 5), new Params(2000, 8, 2, 5));
        }
    }

    @TempDir
    Path dir;

    @FaultRow
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "8", title = "Endpoint churn at 100 updates/s (registry API)")
    void churnBreaksNoConnectionRemovalsTakeEffectAndUpdatesCoalesce(Scenario scenario) throws Exception {
        Params p = Params.of(scenario.size());
        scenario.note(p.updates() + " registry updates, one every 10 ms, over " + p.churned() + " churned endpoints "
                + "(each toggled in turn) beside 2 stable ones; " + p.clients() + " client threads of new connections "
                + p.clientPauseMillis() + " ms apart");
        int admin = Ports.free();
        int listen = Ports.free();
        int registryPort = Ports.free();
        List<GreetingBackend> backends = new ArrayList<>();
        ExecutorService pool = Executors.newCachedThreadPool();
        AtomicBoolean stop = new AtomicBoolean();
        try {
            for (int i = 0; i < 2 + p.churned(); i++) {
                backends.add(new GreetingBackend(i));
            }
            Path config = AgentConfig.write(dir.resolve("junction.yaml"), AgentConfig.head(admin) + """
                    discovery:
                      registry:
                        listen: 127.0.0.1:%d
                        stateFile: %s
                        allowLoopback: true
                        rateLimit: {requestsPerSecond: 10000, burst: 10000}
                    services:
                      - name: web
                        listen: 127.0.0.1:%d
                    """.formatted(registryPort, dir.resolve("registry.json"), listen));
            try (AgentProcess agent = AgentProcess.startReady(config, admin, dir.resolve("agent.log"))) {
                RegistryClient registry = new RegistryClient("127.0.0.1", registryPort, null);
                for (int i = 0; i < 2; i++) {
                    expectOk(registry.register("stable-" + i, "web", "127.0.0.1", backends.get(i).port()));
                }
                long upWait = System.nanoTime();
                while (reachedBackend(listen) < 0) {
                    if (System.nanoTime() - upWait > TimeUnit.SECONDS.toNanos(10)) {
                        throw new IllegalStateException("the stable endpoints never served; agent output:\n"
                                + agent.outputQuietly());
                    }
                    Thread.sleep(20);
                }

                AtomicLong failures = new AtomicLong();
                AtomicLongArray perBackend = new AtomicLongArray(backends.size());
                List<String> firstFailures = new ArrayList<>();
                List<Future<?>> clients = new ArrayList<>();
                for (int c = 0; c < p.clients(); c++) {
                    clients.add(pool.submit(() -> {
                        while (!stop.get()) {
                            int b = reachedBackend(listen);
                            if (b < 0) {
                                failures.incrementAndGet();
                                synchronized (firstFailures) {
                                    if (firstFailures.size() < 5) {
                                        firstFailures.add("code " + b + " at " + System.nanoTime());
                                    }
                                }
                            } else {
                                perBackend.incrementAndGet(b);
                            }
                            Thread.sleep(p.clientPauseMillis());
                        }
                        return null;
                    }));
                }
                Thread.sleep(300);

                long versionBefore = snapshotVersion(agent);
                String indexBefore = registry.get("/v1/agent/services").headers().firstValue("X-Consul-Index")
                        .orElse("?");
                // removals[c]: pairs of (removed at, registered again at or Long.MAX_VALUE) per churned endpoint.
                List<List<long[]>> removals = new ArrayList<>();
                boolean[] present = new boolean[p.churned()];
                for (int c = 0; c < p.churned(); c++) {
                    removals.add(new ArrayList<>());
                }
                int updates = 0;
                int refusedUpdates = 0;
                long start = System.nanoTime();
                for (int i = 0; i < p.updates(); i++) {
                    long due = start + TimeUnit.MILLISECONDS.toNanos(10L * i);
                    TimeUnit.NANOSECONDS.sleep(Math.max(0, due - System.nanoTime()));
                    int c = i % p.churned();
                    refusedUpdates += toggle(registry, backends.get(2 + c), c, present, removals) ? 0 : 1;
                    updates++;
                }
                double churnSeconds = (System.nanoTime() - start) / 1e9;
                // The end: every churned endpoint removed, clients go on, so late connections to them would show.
                for (int c = 0; c < p.churned(); c++) {
                    if (present[c]) {
                        refusedUpdates += toggle(registry, backends.get(2 + c), c, present, removals) ? 0 : 1;
                        updates++;
                    }
                }
                Thread.sleep(1500);
                stop.set(true);
                for (Future<?> f : clients) {
                    f.get(30, TimeUnit.SECONDS);
                }
                long versionAfter = snapshotVersion(agent);
                String indexAfter = registry.get("/v1/agent/services").headers().firstValue("X-Consul-Index")
                        .orElse("?");

                double worstLagMillis = 0;
                long lateAfterFinalRemoval = 0;
                for (int c = 0; c < p.churned(); c++) {
                    List<Long> accepts = backends.get(2 + c).accepts();
                    for (long[] gap : removals.get(c)) {
                        for (long a : accepts) {
                            if (a > gap[0] && a < gap[1]) {
                                worstLagMillis = Math.max(worstLagMillis, (a - gap[0]) / 1e6);
                                if (gap[1] == Long.MAX_VALUE) {
                                    lateAfterFinalRemoval++;
                                }
                            }
                        }
                    }
                }
                long stableConnections = perBackend.get(0) + perBackend.get(1);
                long churnedConnections = 0;
                for (int c = 0; c < p.churned(); c++) {
                    churnedConnections += perBackend.get(2 + c);
                }
                long published = versionAfter - versionBefore;
                scenario.note(String.format(java.util.Locale.ROOT, "%d updates in %.2f s (%.0f/s); X-Consul-Index "
                        + "%s -> %s; snapshot version %d -> %d; connections to stable endpoints %d, to churned ones "
                        + "%d; %d connections reached a churned endpoint after its final removal", updates,
                        churnSeconds, p.updates() / churnSeconds, indexBefore, indexAfter, versionBefore,
                        versionAfter, stableConnections, churnedConnections, lateAfterFinalRemoval)
                        + (firstFailures.isEmpty() ? "" : "; first failures: " + firstFailures));
                scenario.figure("registry updates refused", refusedUpdates, "", Bound.EXACTLY, 0);
                scenario.figure("failed connections", failures.get(), "", Bound.EXACTLY, 0);
                scenario.figure("connections through the churned endpoints", churnedConnections, "", Bound.AT_LEAST,
                        1);
                scenario.figure("latest new connection to an endpoint after its removal", worstLagMillis, "ms",
                        Bound.AT_MOST, 500);
                scenario.figure("snapshots published per update made", published / (double) updates, "",
                        Bound.AT_MOST, 0.99);
                scenario.assertPassed();
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
            for (GreetingBackend b : backends) {
                b.close();
            }
        }
    }

    /** Registers churned endpoint {@code c} if absent, else deregisters it; false when the registry refused. */
    private static boolean toggle(RegistryClient registry, GreetingBackend backend, int c, boolean[] present,
                                  List<List<long[]>> removals) throws IOException, InterruptedException {
        String id = "churn-" + c;
        List<long[]> gaps = removals.get(c);
        if (present[c]) {
            int code = registry.deregister(id).statusCode();
            // Removed once the registry has answered: from here no new connection should reach it.
            gaps.add(new long[] {System.nanoTime(), Long.MAX_VALUE});
            present[c] = false;
            return code == 200;
        }
        // Registered again from the moment the request is sent: a connection after that may rightly reach it.
        long sent = System.nanoTime();
        int code = registry.register(id, "web", "127.0.0.1", backend.port()).statusCode();
        if (!gaps.isEmpty()) {
            gaps.get(gaps.size() - 1)[1] = sent;
        }
        present[c] = true;
        return code == 200;
    }

    /** One connection through the agent: the backend id it greeted with, or -1 when it failed. */
    private static int reachedBackend(int listen) {
        try (Socket s = new Socket("127.0.0.1", listen)) {
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            int id = in.read();
            byte[] out = "churn".getBytes(StandardCharsets.US_ASCII);
            OutputStream os = s.getOutputStream();
            os.write(out);
            os.flush();
            return id >= 0 && Arrays.equals(in.readNBytes(out.length), out) ? id : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static long snapshotVersion(AgentProcess agent) throws IOException, InterruptedException {
        Matcher m = SNAPSHOT_VERSION.matcher(agent.get("/api/status").body());
        if (!m.find()) {
            throw new IllegalStateException("no snapshotVersion in /api/status");
        }
        return Long.parseLong(m.group(1));
    }
}
