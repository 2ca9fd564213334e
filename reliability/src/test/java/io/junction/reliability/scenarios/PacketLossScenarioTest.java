package io.junction.reliability.scenarios;

import io.junction.reliability.frame.AgentConfig;
import io.junction.reliability.frame.AgentProcess;
import io.junction.reliability.frame.Commands;
import io.junction.reliability.frame.FaultRow;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.JavaProcess;
import io.junction.reliability.frame.Netns;
import io.junction.reliability.frame.ReportExtension;
import io.junction.reliability.frame.Scenario;
import io.junction.reliability.frame.ScenarioInfo;
import io.junction.reliability.frame.Size;
import io.junction.reliability.traffic.HashingBackendMain;
import io.junction.reliability.traffic.StreamClientMain;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * Scenario 6: 2% of the packets between the agent and its backend dropped at random, both ways (nftables
 * {@code numgen random mod 100 < 2 drop} in the backend's namespace). TCP retransmits; the proxy must pass every byte
 * unchanged and never close a connection itself (every access-log line {@code result=ok}).
 *
 * <p>Layout: namespace "proxy" holds the agent and the client (on its loopback); namespace "backend" holds the
 * hashing backend on 10.232.0.2, joined by a veth.
 */
@ExtendWith(ReportExtension.class)
class PacketLossScenarioTest {
    /** Streams at once and bytes each way per stream. */
    record Params(int streams, long bytesEachWay) {
        static Params of(Size size) {
            return size.pick(new Params(2, 4L << 20), new Params(20, 32L << 20));
        }
    }

    @TempDir
    Path dir;

    @FaultRow
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "6", title = "2% random loss on the path: no corruption, no proxy close")
    void lossyPathCorruptsNothingAndTheProxyClosesNothing(Scenario scenario) throws Exception {
        Commands.assumeRootWithNetworkTools();
        Params p = Params.of(scenario.size());
        scenario.note(p.streams() + " streams × " + (p.bytesEachWay() >> 20) + " MiB each way through a path "
                + "dropping 2% of packets each way (agent ↔ backend)");
        try (Netns proxyNs = Netns.create("rlpx"); Netns backendNs = Netns.create("rlbk")) {
            proxyNs.link(backendNs, "10.232.0.1/24", "10.232.0.2/24");
            backendNs.nft("""
                    table inet loss {
                      chain in {
                        type filter hook input priority 0; policy accept;
                        meta l4proto tcp numgen random mod 100 < 2 counter drop
                      }
                      chain out {
                        type filter hook output priority 0; policy accept;
                        meta l4proto tcp numgen random mod 100 < 2 counter drop
                      }
                    }
                    """);
            // Fixed ports are safe here: nothing else lives in namespaces this test just made.
            int listen = 10080;
            Path config = AgentConfig.write(dir.resolve("junction.yaml"), """
                    admin:
                      listen: off
                    proxy:
                      accessLog: true
                      shutdownDrainTimeout: 1s
                    services:
                      - name: lossy
                        listen: 127.0.0.1:%d
                        endpoints: [10.232.0.2:9000]
                    """.formatted(listen));
            try (JavaProcess backend = JavaProcess.start(backendNs.inside(List.of()), "256m",
                    dir.resolve("backend.log"), HashingBackendMain.class.getName(), "10.232.0.2", "9000",
                    Long.toString(p.bytesEachWay()), Integer.toString(p.streams()));
                 AgentProcess agent = AgentProcess.start(proxyNs.inside(List.of()), config, 0,
                         dir.resolve("agent.log"))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> backend.output().contains("listening"));
                await().atMost(Duration.ofSeconds(30)).until(() -> agent.jvm().output().contains("agent=started"));
                long start = System.nanoTime();
                try (JavaProcess client = JavaProcess.start(proxyNs.inside(List.of()), "256m",
                        dir.resolve("client.log"), StreamClientMain.class.getName(), "127.0.0.1",
                        Integer.toString(listen), Integer.toString(p.streams()), Long.toString(p.bytesEachWay()))) {
                    if (!client.process().waitFor(25, TimeUnit.MINUTES)) {
                        throw new IllegalStateException("client did not finish");
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    backend.process().waitFor(60, TimeUnit.SECONDS);
                    Thread.sleep(500); // the access log is written in batches, at most 50 ms late

                    Map<String, String[]> clientSide = byId(client.output(), "stream");
                    Map<String, String[]> backendSide = byId(backend.output(), "end");
                    int corrupted = 0;
                    for (Map.Entry<String, String[]> c : clientSide.entrySet()) {
                        String[] b = backendSide.get(c.getKey());
                        String[] f = c.getValue();
                        // client: stream id sentBytes sentSha recvBytes recvSha; backend: end id recvBytes recvSha
                        // sentBytes sentSha
                        boolean up = b != null && f[2].equals(b[2]) && f[3].equals(b[3]);
                        boolean down = b != null && f[4].equals(b[4]) && f[5].equals(b[5]);
                        corrupted += (up ? 0 : 1) + (down ? 0 : 1);
                    }
                    int missing = 2 * (p.streams() - clientSide.size());
                    List<String> access = agent.jvm().output().lines().filter(l -> l.contains(" access service="))
                            .toList();
                    long notOk = access.stream().filter(l -> !l.contains("result=ok")).count();
                    scenario.note(String.format(java.util.Locale.ROOT, "%.1f s; dropped by the rule: %s", seconds,
                            dropped(backendNs)));
                    if (access.size() != p.streams()) {
                        scenario.note("agent output: " + agent.jvm().output().replace('\n', ';'));
                    }
                    if (notOk > 0 || missing > 0) {
                        scenario.note("client: " + client.output().replace('\n', ';') + " access: " + access);
                        scenario.note("backend: " + backend.output().lines()
                                .filter(l -> !l.startsWith("end ")).toList());
                    }
                    scenario.figure("directions with differing SHA-256 or lost streams", corrupted + missing, "",
                            Bound.EXACTLY, 0);
                    scenario.figure("connections logged", access.size(), "", Bound.EXACTLY, p.streams());
                    scenario.figure("connections the proxy ended (access result not ok)", notOk, "", Bound.EXACTLY,
                            0);
                    scenario.assertPassed();
                }
            }
        }
    }

    /** The lines starting with {@code kind}, split on spaces, by their second field (the stream id). */
    private static Map<String, String[]> byId(String output, String kind) {
        Map<String, String[]> m = new HashMap<>();
        output.lines().filter(l -> l.startsWith(kind + " ")).forEach(l -> {
            String[] f = l.split(" ");
            m.put(f[1], f);
        });
        return m;
    }

    /** The packet counters of the two drop rules, as nft lists them. */
    private static String dropped(Netns ns) throws IOException, InterruptedException {
        return String.join(", ", ns.exec("nft", "list", "table", "inet", "loss").lines()
                .filter(l -> l.contains("counter")).map(l -> l.replaceAll(".*counter ", "").replace(" drop", ""))
                .toList());
    }
}
