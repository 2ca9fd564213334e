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
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 2: {@code maxConnections} is honoured exactly. The limit's connections are opened and held; every further
 * one is closed at once, counted under {@code connection_limit}, and the held ones keep working; once some of them
 * end, a new connection gets in.
 */
@ExtendWith(ReportExtension.class)
class MaxConnectionsScenarioTest {
    /** The listener's limit and how many connections beyond it are tried. */
    record Params(int limit, int excess, int released) {
        static Params of(Size size) {
            return size.pick(new Params(50, 20, 10), new Params(1000, 500, 600));
        }
    }

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "2", title = "maxConnections honoured exactly")
    void theLimitAdmitsExactlyItsCountAndClosesTheRestAtOnce(Scenario scenario) throws Exception {
        Params p = Params.of(scenario.size());
        scenario.note("maxConnections " + p.limit() + "; " + (p.limit() + p.excess()) + " opened, then "
                + p.released() + " of the held ones closed");
        int admin = Ports.free();
        int listen = Ports.free();
        List<Socket> held = new ArrayList<>();
        try (TcpEchoServer backend = new TcpEchoServer();
             AgentProcess agent = AgentProcess.startReady(AgentConfig.write(dir.resolve("junction.yaml"),
                     AgentConfig.head(admin) + """
                             services:
                               - name: capped
                                 listen: 127.0.0.1:%d
                                 maxConnections: %d
                                 endpoints: [127.0.0.1:%d]
                             """.formatted(listen, p.limit(), backend.address().getPort())),
                     admin, dir.resolve("agent.log"))) {
            int admittedOfLimit = 0;
            for (int i = 0; i < p.limit(); i++) {
                Socket s = new Socket("127.0.0.1", listen);
                held.add(s);
                admittedOfLimit += echoes(s, "held" + i) ? 1 : 0;
            }

            int refused = 0;
            int admittedBeyond = 0;
            long slowestCloseNanos = 0;
            for (int i = 0; i < p.excess(); i++) {
                long start = System.nanoTime();
                try (Socket s = new Socket("127.0.0.1", listen)) {
                    if (echoes(s, "extra" + i)) {
                        admittedBeyond++;
                    } else {
                        refused++;
                        slowestCloseNanos = Math.max(slowestCloseNanos, System.nanoTime() - start);
                    }
                } catch (IOException e) {
                    refused++; // a connect refused outright is a refusal too
                }
            }

            int heldStillWorking = 0;
            for (int i = 0; i < held.size(); i++) {
                heldStillWorking += echoes(held.get(i), "again" + i) ? 1 : 0;
            }
            double counted = agent.metric("junction_failures_total", "reason=\"connection_limit\"");
            double active = agent.metric("junction_connections_active");

            for (int i = 0; i < p.released(); i++) {
                held.remove(held.size() - 1).close();
            }
            long releasedAt = System.nanoTime();
            long admittedAfterMillis = -1;
            while (System.nanoTime() - releasedAt < TimeUnit.SECONDS.toNanos(5)) {
                try (Socket s = new Socket("127.0.0.1", listen)) {
                    if (echoes(s, "after")) {
                        admittedAfterMillis = (System.nanoTime() - releasedAt) / 1_000_000;
                        break;
                    }
                }
                Thread.sleep(20);
            }

            scenario.figure("connections up to the limit admitted", admittedOfLimit, "", Bound.EXACTLY, p.limit());
            scenario.figure("connections beyond the limit admitted", admittedBeyond, "", Bound.EXACTLY, 0);
            scenario.figure("connections beyond the limit closed", refused, "", Bound.EXACTLY, p.excess());
            scenario.figure("slowest close of a refused connection", slowestCloseNanos / 1e6, "ms", Bound.AT_MOST,
                    100);
            scenario.figure("refusals counted (connection_limit)", counted, "", Bound.EXACTLY, p.excess());
            scenario.figure("junction_connections_active at the limit", active, "", Bound.EXACTLY, p.limit());
            scenario.figure("held connections still echoing", heldStillWorking, "", Bound.EXACTLY, p.limit());
            scenario.figure("new connection admitted after some ended", admittedAfterMillis < 0 ? 5000
                    : admittedAfterMillis, "ms", Bound.AT_MOST, 1000);
            scenario.assertPassed();
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    /** One echo round trip: true when the text came back, false when the proxy closed or reset the connection. */
    private static boolean echoes(Socket s, String text) {
        try {
            s.setSoTimeout(5000);
            byte[] out = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            s.getOutputStream().write(out);
            s.getOutputStream().flush();
            byte[] in = s.getInputStream().readNBytes(out.length);
            return java.util.Arrays.equals(in, out);
        } catch (IOException e) {
            return false;
        }
    }
}
