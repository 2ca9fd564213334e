package io.junction.reliability.scenarios;

import io.junction.core.testing.TcpEchoServer;
import io.junction.reliability.frame.AgentConfig;
import io.junction.reliability.frame.AgentProcess;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.Ports;
import io.junction.reliability.frame.ReportExtension;
import io.junction.reliability.frame.Scenario;
import io.junction.reliability.frame.ScenarioInfo;
import io.junction.reliability.frame.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 13: the per-source connection-rate limit. A legitimate client on 127.0.0.2 opens connections at a modest
 * rate (each one echo round trip), first alone for a baseline, then while an abusive client on 127.0.0.3 opens them
 * at many times the limit. The legitimate client must see no failure and no latency change beyond a bound; the
 * abusive one must be admitted at the configured rate (after its burst), and every refusal counted.
 */
@ExtendWith(ReportExtension.class)
class ConnectionRateLimitScenarioTest {
    private static final String LEGIT = "127.0.0.2";
    private static final String ABUSIVE = "127.0.0.3";
    /** The abusive client stops after this many connections even if the time is not up. */
    private static final int MAX_ABUSIVE_CONNECTIONS = 50_000;
    /**
     * The abusive client's attempts per second: 25 times the small limit, 5 times the full one. Bounded so that the
     * figure is about the proxy, not about a test client taking the cores of this 2-core machine from everyone.
     */
    private static final int ABUSIVE_PER_SECOND = 500;

    /** The limit (per second, burst), the legitimate client's rate, and how long the abuse lasts. */
    record Params(int perSecond, int burst, int legitPerSecond, int seconds) {
        static Params of(Size size) {
            return size.pick(new Params(20, 10, 10, 3), new Params(100, 200, 20, 30));
        }
    }

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "13", title = "Per-source connection-rate limit")
    void anAbusiveSourceIsCappedAtTheLimitWhileALegitimateOneIsUnaffected(Scenario scenario) throws Exception {
        Params p = Params.of(scenario.size());
        scenario.note("connectionRateLimit {perSource: " + p.perSecond() + "/s, burst: " + p.burst()
                + "}; legitimate client " + LEGIT + " at " + p.legitPerSecond() + "/s; abusive client " + ABUSIVE
                + " at " + ABUSIVE_PER_SECOND + " attempts/s for " + p.seconds() + " s");
        int admin = Ports.free();
        int listen = Ports.free();
        try (TcpEchoServer backend = new TcpEchoServer();
             AgentProcess agent = AgentProcess.startReady(AgentConfig.write(dir.resolve("junction.yaml"),
                     AgentConfig.head(admin) + """
                             services:
                               - name: limited
                                 listen: 127.0.0.1:%d
                                 connectionRateLimit: {perSource: %d/s, burst: %d}
                                 endpoints: [127.0.0.1:%d]
                             """.formatted(listen, p.perSecond(), p.burst(), backend.address().getPort())),
                     admin, dir.resolve("agent.log"))) {
            // Warm-up off the record (JIT, first connections), then the legitimate client's baseline, alone.
            legit(listen, p.legitPerSecond(), 1, new ArrayList<>());
            List<Double> baseline = new ArrayList<>();
            int baselineFailures = legit(listen, p.legitPerSecond(), 2, baseline);

            long abuseNanos = TimeUnit.SECONDS.toNanos(p.seconds());
            CompletableFuture<int[]> abuse = CompletableFuture.supplyAsync(() -> abuse(listen, abuseNanos));
            List<Double> during = new ArrayList<>();
            int duringFailures = legit(listen, p.legitPerSecond(), p.seconds(), during);
            int[] abusive = abuse.get(p.seconds() + 60L, TimeUnit.SECONDS);
            int admitted = abusive[0];
            int refused = abusive[1];
            double abuseSeconds = abusive[2] / 1000.0;
            double counted = agent.metric("junction_failures_total", "reason=\"rate_limited\"");

            double baseP99 = percentile(baseline, 0.99);
            double duringP99 = percentile(during, 0.99);
            double admittedRate = (admitted - p.burst()) / abuseSeconds;
            scenario.note("legitimate p50 " + round(percentile(baseline, 0.5)) + " ms alone, "
                    + round(percentile(during, 0.5)) + " ms during the abuse; abusive client: " + admitted
                    + " admitted, " + refused + " refused in " + round(abuseSeconds) + " s ("
                    + round((admitted + refused) / abuseSeconds) + " attempts/s)");
            scenario.figure("legitimate connections failed", baselineFailures + duringFailures, "", Bound.EXACTLY, 0);
            // The bounds come from the baseline just measured on the same (shared, 2-core) machine; with a few dozen
            // samples p99 is nearly the maximum, so it gets a floor of 50 ms against one scheduling hiccup.
            scenario.figure("legitimate p50 connect + echo during the abuse", percentile(during, 0.5), "ms",
                    Bound.AT_MOST, round(percentile(baseline, 0.5) + 5));
            scenario.figure("legitimate p99 connect + echo during the abuse", duringP99, "ms", Bound.AT_MOST,
                    Math.max(50, round(baseP99 * 2 + 10)));
            scenario.figure("abusive source's admitted rate after its burst (at most)", admittedRate, "/s",
                    Bound.AT_MOST, p.perSecond() * 1.05);
            scenario.figure("abusive source's admitted rate after its burst (at least)", admittedRate, "/s",
                    Bound.AT_LEAST, p.perSecond() * 0.9);
            scenario.figure("abusive connections refused", refused, "", Bound.AT_LEAST, 1);
            scenario.figure("refusals counted (rate_limited)", counted, "", Bound.EXACTLY, refused);
            scenario.assertPassed();
        }
    }

    /**
     * Connections from {@link #LEGIT} at {@code perSecond} for {@code seconds}, each one echo round trip; records each
     * connect-plus-echo time in ms into {@code latencies} and returns how many failed.
     */
    private static int legit(int port, int perSecond, int seconds, List<Double> latencies) throws Exception {
        int failures = 0;
        long interval = TimeUnit.SECONDS.toNanos(1) / perSecond;
        long start = System.nanoTime();
        for (int i = 0; i < perSecond * seconds; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            long t0 = System.nanoTime();
            try (Socket s = connect(LEGIT, port)) {
                if (echoes(s, "legit" + i)) {
                    latencies.add((System.nanoTime() - t0) / 1e6);
                } else {
                    failures++;
                }
            } catch (IOException e) {
                failures++;
            }
        }
        return failures;
    }

    /** Connections from {@link #ABUSIVE} at {@link #ABUSIVE_PER_SECOND} for {@code nanos}: {admitted, refused, ms}. */
    private static int[] abuse(int port, long nanos) {
        int admitted = 0;
        int refused = 0;
        long interval = TimeUnit.SECONDS.toNanos(1) / ABUSIVE_PER_SECOND;
        long start = System.nanoTime();
        for (int i = 0; i < MAX_ABUSIVE_CONNECTIONS && System.nanoTime() - start < nanos; i++) {
            long wait = start + i * interval - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            try (Socket s = connect(ABUSIVE, port)) {
                if (echoes(s, "abuse")) {
                    admitted++;
                } else {
                    refused++;
                }
            } catch (IOException e) {
                refused++;
            }
        }
        return new int[] {admitted, refused, (int) ((System.nanoTime() - start) / 1_000_000)};
    }

    private static Socket connect(String source, int port) throws IOException {
        Socket s = new Socket();
        // SO_LINGER 0: the abusive client's thousands of closes leave no TIME_WAIT on 127.0.0.3's ports.
        s.setSoLinger(true, 0);
        s.bind(new InetSocketAddress(source, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return s;
    }

    private static boolean echoes(Socket s, String text) {
        try {
            s.setSoTimeout(5000);
            byte[] out = text.getBytes(StandardCharsets.US_ASCII);
            s.getOutputStream().write(out);
            return Arrays.equals(s.getInputStream().readNBytes(out.length), out);
        } catch (IOException e) {
            return false;
        }
    }

    private static double percentile(List<Double> values, double q) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
