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
import io.junction.reliability.traffic.ConnectProbeMain;
import io.junction.reliability.traffic.EchoBackendMain;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 4: an endpoint whose host drops every SYN (an nftables drop rule in its own namespace). A connection the
 * balancer sends there waits exactly the connect timeout, then goes to the next endpoint and succeeds.
 *
 * <p>Layout: namespace "proxy" holds the agent, an echo backend on its loopback and the client; namespace "hole"
 * holds 10.231.0.2, joined to "proxy" (10.231.0.1) by a veth, with an input rule dropping TCP to port 80. Passive
 * outlier detection is off so that every round-robin turn on the black hole is a measured connect timeout.
 */
@ExtendWith(ReportExtension.class)
class BlackholeScenarioTest {
    private static final int CONNECT_TIMEOUT_MS = 1000;

    /** Connections made one after another; half of them meet the black hole first. */
    record Params(int connections) {
        static Params of(Size size) {
            return size.pick(new Params(8), new Params(40));
        }
    }

    @TempDir
    Path dir;

    @FaultRow
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "4", title = "Black-holed backend: connect timeout, then the next endpoint")
    void aBlackHoledEndpointCostsExactlyTheConnectTimeoutAndTheConnectionSucceeds(Scenario scenario)
            throws Exception {
        Commands.assumeRootWithNetworkTools();
        Params p = Params.of(scenario.size());
        scenario.note(p.connections() + " sequential connections over [10.231.0.2:80 (SYNs dropped), echo on "
                + "loopback], round-robin, connectTimeout " + CONNECT_TIMEOUT_MS + " ms, outlier detection off");
        try (Netns proxyNs = Netns.create("rlpx"); Netns hole = Netns.create("rlbh")) {
            proxyNs.link(hole, "10.231.0.1/24", "10.231.0.2/24");
            hole.nft("""
                    table inet blackhole {
                      chain input {
                        type filter hook input priority 0; policy accept;
                        tcp dport 80 drop
                      }
                    }
                    """);
            List<String> inside = proxyNs.inside(List.of());
            // Fixed ports are safe here: nothing else lives in a namespace this test just made.
            int echoPort = 18081;
            int listen = 10080;
            Path config = AgentConfig.write(dir.resolve("junction.yaml"), """
                    admin:
                      listen: off
                    proxy:
                      accessLog: false
                      shutdownDrainTimeout: 1s
                    services:
                      - name: hole
                        listen: 127.0.0.1:%d
                        connectTimeout: %dms
                        maxConnectAttempts: 3
                        outlierDetection: off
                        endpoints: [10.231.0.2:80, 127.0.0.1:%d]
                    """.formatted(listen, CONNECT_TIMEOUT_MS, echoPort));
            try (JavaProcess backend = JavaProcess.start(inside, "64m", dir.resolve("backend.log"),
                         EchoBackendMain.class.getName(), Integer.toString(echoPort), "1");
                 AgentProcess agent = AgentProcess.start(inside, config, 0, dir.resolve("agent.log"));
                 JavaProcess probe = JavaProcess.start(inside, "64m", dir.resolve("probe.log"),
                         ConnectProbeMain.class.getName(), "127.0.0.1", Integer.toString(listen),
                         Integer.toString(p.connections()))) {
                if (!probe.process().waitFor(4, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("probe did not finish; agent output:\n" + agent.outputQuietly());
                }
                List<String> lines = probe.output().lines().toList();
                if (!lines.contains("done")) {
                    throw new IllegalStateException("probe: " + lines + "\nagent:\n" + agent.outputQuietly()
                            + "\nbackend alive " + backend.isAlive());
                }
                int failures = 0;
                List<Double> slow = new ArrayList<>();
                double fastest = Double.MAX_VALUE;
                for (String line : lines.subList(lines.indexOf("up") + 1, lines.indexOf("done"))) {
                    String[] f = line.split(" ");
                    double ms = Double.parseDouble(f[1]);
                    if (!f[0].equals("ok")) {
                        failures++;
                    } else if (ms >= CONNECT_TIMEOUT_MS / 2.0) {
                        slow.add(ms);
                    } else {
                        fastest = Math.min(fastest, ms);
                    }
                }
                double worstDeviation = slow.stream().mapToDouble(ms -> Math.abs(ms - CONNECT_TIMEOUT_MS)).max()
                        .orElse(Double.NaN);
                scenario.note("connections that met the black hole first took " + slow + " ms; the fastest direct "
                        + "one " + (fastest == Double.MAX_VALUE ? "-" : fastest) + " ms");
                scenario.figure("connections that met the black hole", slow.size(), "", Bound.AT_LEAST,
                        p.connections() / 2 - 1);
                scenario.figure("worst deviation of their time to first echo from connectTimeout", slow.isEmpty() ? 1e9
                        : worstDeviation, "ms", Bound.AT_MOST, 100);
                scenario.figure("failed connections", failures, "", Bound.EXACTLY, 0);
                scenario.assertPassed();
            }
        }
    }
}
