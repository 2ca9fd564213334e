package io.junction.reliability.scenarios;

import io.junction.core.testing.TcpEchoServer;
import io.junction.reliability.frame.AgentConfig;
import io.junction.reliability.frame.AgentProcess;
import io.junction.reliability.frame.FaultRow;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.Ports;
import io.junction.reliability.frame.ReportExtension;
import io.junction.reliability.frame.Scenario;
import io.junction.reliability.frame.ScenarioInfo;
import io.junction.reliability.frame.Size;
import io.junction.reliability.traffic.EchoLoad;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 7: config reloads under load. The file is rewritten R times at a fixed rate while held connections echo
 * every 10 ms and new connections keep arriving; every rewrite changes the loaded service's settings (its connect
 * timeout and endpoint order) and adds or removes a second service, so each reload rebuilds the service and binds or
 * closes a listener. No connection may break or fail to connect, and the agent's descriptors and RSS, read at a quiet
 * moment (new connections paused, held ones open) before and after, stay flat.
 */
@ExtendWith(ReportExtension.class)
class ReloadUnderLoadScenarioTest {
    /** Reloads, their pause, held connections, connector threads and their pause. */
    record Params(int reloads, long reloadEveryMillis, int held, int connectors, long connectPauseMillis) {
        static Params of(Size size) {
            return size.pick(new Params(10, 250, 8, 2, 10), new Params(50, 1000, 32, 2, 10));
        }
    }

    /**
     * RSS may grow this much: the agent runs with -Xmx256m and the serial collector, whose heap is committed lazily
     * as load arrives, so a warm-up before the first reading takes most of the growth; what is left is allocation
     * noise within the committed heap and code compiled during the run. A leak of the things a reload builds (a
     * listener, its channel, an event loop, a thread with its 1 MiB stack) would cost more per reload than this
     * over the run, and shows in the descriptor and thread figures too.
     */
    private static final double RSS_GROWTH_MIB = 32;

    @TempDir
    Path dir;

    @FaultRow
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "7", title = "Config reloads under load")
    void reloadsUnderLoadBreakNothingAndLeakNothing(Scenario scenario) throws Exception {
        Params p = Params.of(scenario.size());
        scenario.note(p.reloads() + " reloads, one every " + p.reloadEveryMillis() + " ms (file replaced by rename), "
                + p.held() + " held connections echoing every 10 ms, " + p.connectors() + " threads of new "
                + "connections (one round trip each, " + p.connectPauseMillis() + " ms apart)");
        int admin = Ports.free();
        int listen = Ports.free();
        int sideListen = Ports.free();
        try (TcpEchoServer b1 = new TcpEchoServer(); TcpEchoServer b2 = new TcpEchoServer()) {
            Path config = dir.resolve("junction.yaml");
            AgentConfig.write(config, config(admin, listen, sideListen, b1, b2, 0));
            try (AgentProcess agent = AgentProcess.startReady(config, admin, dir.resolve("agent.log"));
                 EchoLoad load = EchoLoad.start(new InetSocketAddress("127.0.0.1", listen), p.held(),
                         p.connectors(), p.connectPauseMillis())) {
                Thread.sleep(2000); // warm-up: heap committed, code compiled, pools filled
                Quiet before = quiet(agent, load);

                // Each rewrite waits for the previous one to be applied: the agent debounces bursts of file events
                // (by design), so rewrites closer together than it picks them up would be coalesced and not counted.
                long start = System.nanoTime();
                long slowestApplyNanos = 0;
                int notApplied = 0;
                for (int i = 1; i <= p.reloads(); i++) {
                    long due = start + TimeUnit.MILLISECONDS.toNanos((i - 1) * p.reloadEveryMillis());
                    TimeUnit.NANOSECONDS.sleep(Math.max(0, due - System.nanoTime()));
                    long written = System.nanoTime();
                    AgentConfig.write(config, config(admin, listen, sideListen, b1, b2, i));
                    double expected = i + 1; // the first load counts too
                    while (agent.metric("junction_config_reloads_total") < expected
                            && System.nanoTime() - written < TimeUnit.SECONDS.toNanos(5)) {
                        Thread.sleep(10);
                    }
                    if (agent.metric("junction_config_reloads_total") < expected) {
                        notApplied++;
                    }
                    slowestApplyNanos = Math.max(slowestApplyNanos, System.nanoTime() - written);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                Thread.sleep(500); // load keeps running on the last config
                Quiet after = quiet(agent, load);
                double reloads = agent.metric("junction_config_reloads_total");
                double failures = agent.metric("junction_config_reload_failures_total");

                scenario.note("descriptors " + before.fds() + " -> " + after.fds() + ", RSS " + before.rssKib()
                        + " -> " + after.rssKib() + " KiB, threads " + before.threads() + " -> " + after.threads()
                        + "; " + load.connected() + " connections, " + load.roundTrips() + " round trips"
                        + (load.firstProblems().isEmpty() ? "" : "; first problems: " + load.firstProblems()));
                scenario.note(String.format(java.util.Locale.ROOT, "%d rewrites in %.1f s (%.2f/s)", p.reloads(),
                        seconds, p.reloads() / seconds));
                scenario.figure("rewrites not applied within 5 s", notApplied, "", Bound.EXACTLY, 0);
                scenario.figure("reloads counted by the agent", reloads - 1, "", Bound.EXACTLY, p.reloads());
                scenario.figure("slowest rewrite to reload applied", slowestApplyNanos / 1e6, "ms", Bound.AT_MOST,
                        2000);
                scenario.figure("reloads rejected", failures, "", Bound.EXACTLY, 0);
                scenario.figure("connections broken (reset, EOF, wrong bytes)", load.broken(), "", Bound.EXACTLY,
                        0);
                scenario.figure("failed connects", load.failedConnects(), "", Bound.EXACTLY, 0);
                scenario.figure("round trips during the run", load.roundTrips(), "", Bound.AT_LEAST,
                        p.reloads() * p.reloadEveryMillis() / 10.0);
                scenario.figure("file descriptor growth", after.fds() - before.fds(), "", Bound.AT_MOST, 2);
                scenario.figure("thread growth", after.threads() - before.threads(), "", Bound.AT_MOST, 0);
                scenario.figure("RSS growth", (after.rssKib() - before.rssKib()) / 1024.0, "MiB", Bound.AT_MOST,
                        RSS_GROWTH_MIB);
                scenario.assertPassed();
            }
        }
    }

    /** Descriptors, RSS and threads of the agent with new connections paused for a moment. */
    record Quiet(int fds, long rssKib, int threads) {
    }

    private static Quiet quiet(AgentProcess agent, EchoLoad load) throws Exception {
        load.pauseNewConnections();
        Thread.sleep(300); // the last short connections finish closing on both sides
        Quiet q = new Quiet(agent.jvm().fdCount(), agent.jvm().rssKib(), threads(agent));
        load.resume();
        return q;
    }

    private static int threads(AgentProcess agent) throws java.io.IOException {
        try (var s = java.nio.file.Files.list(Path.of("/proc", Long.toString(agent.jvm().pid()), "task"))) {
            return (int) s.count();
        }
    }

    /**
     * Generation {@code g} of the config: the loaded service's connect timeout and endpoint order change with every
     * generation, and the side service exists in odd ones only, so that each reload rebuilds a service and binds or
     * closes a listener.
     */
    private static String config(int admin, int listen, int sideListen, TcpEchoServer b1, TcpEchoServer b2, int g) {
        int p1 = b1.address().getPort();
        int p2 = b2.address().getPort();
        String endpoints = g % 2 == 0 ? "[127.0.0.1:%d, 127.0.0.1:%d]".formatted(p1, p2)
                : "[127.0.0.1:%d, 127.0.0.1:%d]".formatted(p2, p1);
        String side = g % 2 == 0 ? "" : """
                  - name: side
                    listen: 127.0.0.1:%d
                    endpoints: [127.0.0.1:%d]
                """.formatted(sideListen, p1);
        return AgentConfig.head(admin) + """
                services:
                  - name: loaded
                    listen: 127.0.0.1:%d
                    connectTimeout: %dms
                    endpoints: %s
                """.formatted(listen, 1000 + g, endpoints) + side;
    }
}
