package io.junction.reliability.scenarios;

import io.junction.core.forward.DescriptorBudget;
import io.junction.reliability.frame.AgentConfig;
import io.junction.reliability.frame.AgentProcess;
import io.junction.reliability.frame.Commands;
import io.junction.reliability.frame.DescriptorLimits;
import io.junction.reliability.frame.FaultRow;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.JavaProcess;
import io.junction.reliability.frame.Netns;
import io.junction.reliability.frame.NetnsAdmin;
import io.junction.reliability.frame.ReportExtension;
import io.junction.reliability.frame.Scenario;
import io.junction.reliability.frame.ScenarioInfo;
import io.junction.reliability.frame.Size;
import io.junction.reliability.frame.VethPair;
import io.junction.reliability.traffic.EchoServerMain;
import io.junction.reliability.traffic.SilentClientMain;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * Scenario 17: silent connections and vanished peers. Clients open connections through the agent, prove each with one
 * echo and go silent; half of them then vanish: the link of their namespace is set down, so no FIN or RST from them
 * (or to them) ever crosses it. With a short {@code idleTimeout} (3 s; 10 s at full size, where a group takes
 * seconds to open), the agent must reap every connection, silent and vanished, within the idle timeout plus a margin;
 * {@code junction_connections_active} must come back to 0 and the agent's descriptors to what it held before.
 *
 * <p>Layout: namespace "agent" holds the agent and a Netty echo backend on its loopback; namespace "silent" (10.235.0.2)
 * and namespace "vanish" (10.236.0.2) each hold a client JVM and a veth to the agent's namespace (10.235.0.1 and
 * 10.236.0.1, one listener each, so each group has its own gauge). The agent's TCP keepalive (set on every client
 * socket, with the kernel's default 2 h idle time) is far too slow to matter here: the idle timeout is what reaps.
 */
@ExtendWith(ReportExtension.class)
class SilentAndVanishedPeersScenarioTest {
    /**
     * Beyond the idle timeout: the idle check re-arms itself for the time left (reading a clock that ticks every few
     * ms), closing thousands of connections at once takes the agent's loops a moment on 2 shared cores, and the gauge
     * is polled every 100 ms through a curl process.
     */
    private static final int MARGIN_MILLIS = 1500;
    /**
     * The descriptor limit wanted for the full size: the agent holds two per connection plus its reserve, the echo
     * backend one per connection. Raised if the machine lets it; else the groups shrink to what fits (noted).
     */
    private static final long NOFILE = 32768;

    /**
     * Connections per group (silent, vanished) and the idle timeout: short, but longer than a group takes to open, so
     * that every vanishing connection is still held when its link goes down.
     */
    record Params(int perGroup, int idleTimeoutSeconds) {
        static Params of(Size size) {
            return size.pick(new Params(500, 3), new Params(5000, 10));
        }
    }

    @TempDir
    Path dir;

    @FaultRow
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "17", title = "Silent connections and vanished peers reaped")
    void silentAndVanishedConnectionsAreReapedWithinTheIdleTimeout(Scenario scenario) throws Exception {
        Commands.assumeRootWithNetworkTools();
        Assumptions.assumeTrue(Commands.run(List.of("sh", "-c", "command -v curl")).code() == 0,
                "needs curl to read the agent's admin server inside its namespace; skipped");
        Params asked = Params.of(scenario.size());
        String raise = DescriptorLimits.raiseTowards(NOFILE);
        long limit = DescriptorLimits.current();
        // The agent inherits this limit; its connection cap, less a few for the admin server's own connections,
        // bounds what this machine can run at once.
        int fits = (DescriptorBudget.forLimit(limit).connectionCap() - 64) / 2;
        Params p = new Params(Math.min(asked.perGroup(), fits), asked.idleTimeoutSeconds());
        scenario.note(p.perGroup() + " silent connections and " + p.perGroup() + " whose peers vanish (link down); "
                + "idleTimeout " + p.idleTimeoutSeconds() + " s; descriptor limit " + limit);
        if (p.perGroup() < asked.perGroup()) {
            scenario.note("reduced from " + asked.perGroup() + " per group: the agent's descriptor cap under this "
                    + "machine's limit " + limit + " is " + DescriptorBudget.forLimit(limit).connectionCap()
                    + " connections (" + raise + ")");
        }
        try (Netns agentNs = Netns.create("rlia"); Netns silentNs = Netns.create("rlis");
             Netns vanishNs = Netns.create("rliv")) {
            VethPair.create(silentNs, "sil0", "10.235.0.2/24", agentNs, "sil1", "10.235.0.1/24");
            VethPair.create(vanishNs, "van0", "10.236.0.2/24", agentNs, "van1", "10.236.0.1/24");
            // Fixed ports are safe here: nothing else lives in namespaces this test just made.
            int adminPort = 9901;
            int listen = 10080;
            try (JavaProcess backend = JavaProcess.start(agentNs.inside(List.of()), "256m",
                    dir.resolve("backend.log"), EchoServerMain.class.getName())) {
                await().atMost(Duration.ofSeconds(30)).until(() -> backend.output().contains("listening "));
                int backendPort = Integer.parseInt(backend.output().lines().filter(l -> l.startsWith("listening "))
                        .findFirst().orElseThrow().substring("listening ".length()).strip());
                Path config = AgentConfig.write(dir.resolve("junction.yaml"), AgentConfig.head(adminPort) + """
                        services:
                          - name: silent
                            listen: 10.235.0.1:%d
                            idleTimeout: %ds
                            endpoints: [127.0.0.1:%d]
                          - name: vanished
                            listen: 10.236.0.1:%d
                            idleTimeout: %ds
                            endpoints: [127.0.0.1:%d]
                        """.formatted(listen, p.idleTimeoutSeconds(), backendPort, listen, p.idleTimeoutSeconds(),
                        backendPort));
                try (AgentProcess agent = AgentProcess.start(agentNs.inside(List.of()), config, adminPort,
                        dir.resolve("agent.log"))) {
                    NetnsAdmin admin = new NetnsAdmin(agentNs, adminPort);
                    admin.awaitReady(Duration.ofSeconds(30));
                    int fdsBefore = agent.jvm().fdCount();
                    run(scenario, p, agent, admin, fdsBefore, silentNs, vanishNs, listen);
                }
            }
        }
    }

    private void run(Scenario scenario, Params p, AgentProcess agent, NetnsAdmin admin, int fdsBefore,
                     Netns silentNs, Netns vanishNs, int listen) throws Exception {
        long deadlineSeconds = 120;
        try (JavaProcess silent = client(silentNs, "10.235.0.1", listen, p.perGroup(), deadlineSeconds, "silent");
             JavaProcess vanish = client(vanishNs, "10.236.0.1", listen, p.perGroup(), deadlineSeconds, "vanish")) {
            // One loop watches both groups from their start: a group is reaped when its gauge reads 0 after its
            // client said all its connections were open (it read the group's full count at that moment).
            String[] silentReady = null;
            String[] vanishReady = null;
            long silentZeroMs = -1;
            long vanishZeroMs = -1;
            long linkDownMs = -1;
            double vanishedHeldAtLinkDown = -1;
            long loopDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(deadlineSeconds);
            while ((silentZeroMs < 0 || vanishZeroMs < 0) && System.nanoTime() < loopDeadline) {
                if (silentReady == null) {
                    silentReady = readyLine(silent);
                }
                if (vanishReady == null && (vanishReady = readyLine(vanish)) != null) {
                    // The vanishing peers' link goes down as soon as they are all open and silent: from then on
                    // nothing they would send, and nothing sent to them, crosses it.
                    vanishNs.exec("ip", "link", "set", "van0", "down");
                    linkDownMs = System.currentTimeMillis();
                    vanishedHeldAtLinkDown = admin.metric("junction_connections_active", service("vanished"));
                }
                if (silentReady != null && silentZeroMs < 0) {
                    silentZeroMs = zeroSince(admin, "silent", Long.parseLong(silentReady[3]));
                }
                if (vanishReady != null && vanishZeroMs < 0) {
                    vanishZeroMs = zeroSince(admin, "vanished", Long.parseLong(vanishReady[3]));
                }
                Thread.sleep(100);
            }
            if (silentReady == null || vanishReady == null) {
                throw new IllegalStateException("clients not ready: silent " + silent.output() + "; vanish "
                        + vanish.output());
            }
            double activeAfter = admin.metric("junction_connections_active");
            double reapedCounted = admin.metric("junction_failures_total", "reason=\"idle_timeout\"");
            String[] silentClosed = awaitLine(silent, "closed ", deadlineSeconds + 30);
            int fdsAfter;
            long fdDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            do {
                fdsAfter = agent.jvm().fdCount();
                if (Math.abs(fdsAfter - fdsBefore) <= 2) {
                    break;
                }
                Thread.sleep(100);
            } while (System.nanoTime() < fdDeadline);

            long idleMillis = p.idleTimeoutSeconds() * 1000L;
            long bound = idleMillis + MARGIN_MILLIS;
            int opened = Integer.parseInt(silentReady[1]) + Integer.parseInt(vanishReady[1]);
            scenario.note(String.format(Locale.ROOT, "opened %d (failed %s + %s); vanished peers' link down %d ms "
                            + "after their last echo", opened, silentReady[2], vanishReady[2],
                    linkDownMs - Long.parseLong(vanishReady[3])));
            scenario.note("time to reap (gauge at 0 after the group's last echo): silent " + silentZeroMs
                    + " ms, vanished " + vanishZeroMs + " ms; silent clients saw their ends between " + silentClosed[2]
                    + " and " + silentClosed[3] + " ms after their own last echo; agent descriptors " + fdsBefore
                    + " before, " + fdsAfter + " after");
            scenario.figure("connections opened and echoing", opened, "", Bound.EXACTLY, 2L * p.perGroup());
            scenario.figure("vanished connections still held when their link went down", vanishedHeldAtLinkDown, "",
                    Bound.EXACTLY, p.perGroup());
            scenario.figure("silent group reaped (gauge 0) after its last echo", silentZeroMs < 0 ? 1e9 : silentZeroMs,
                    "ms", Bound.AT_MOST, bound);
            scenario.figure("vanished group reaped (gauge 0) after its last echo",
                    vanishZeroMs < 0 ? 1e9 : vanishZeroMs, "ms", Bound.AT_MOST, bound);
            scenario.figure("silent clients that saw the agent close", Integer.parseInt(silentClosed[1]), "",
                    Bound.EXACTLY, p.perGroup());
            scenario.figure("slowest silent connection's end after its last echo", Long.parseLong(silentClosed[3]),
                    "ms", Bound.AT_MOST, bound);
            // None may end early either: that would be something other than the idle timeout closing it. 250 ms of
            // slack: the agent stamps activity with a clock that ticks every 10 ms, and the client stamps its last
            // echo when its one thread gets to read it, which on a loaded host lags the agent's relay by 100 ms and
            // more when thousands of connections echo at once.
            scenario.figure("earliest silent connection's end after its last echo", Long.parseLong(silentClosed[2]),
                    "ms", Bound.AT_LEAST, idleMillis - 250);
            scenario.figure("junction_connections_active after reaping", activeAfter, "", Bound.EXACTLY, 0);
            scenario.figure("reaped connections counted (idle_timeout)", reapedCounted, "", Bound.EXACTLY,
                    2L * p.perGroup());
            scenario.figure("agent descriptors after, minus before", Math.abs(fdsAfter - fdsBefore), "",
                    Bound.AT_MOST, 2);
            scenario.assertPassed();
        }
    }

    private static String service(String name) {
        return "service=\"default/" + name + "/tcp\"";
    }

    /** The time from {@code sinceEpochMs} to now if the group's gauge reads 0 now, else -1. */
    private static long zeroSince(NetnsAdmin admin, String name, long sinceEpochMs)
            throws IOException, InterruptedException {
        long polledAt = System.currentTimeMillis();
        return admin.metric("junction_connections_active", service(name)) == 0 ? polledAt - sinceEpochMs : -1;
    }

    /** The client's ready line split on spaces, or null while it has not printed it; fails if it exited. */
    private static String[] readyLine(JavaProcess p) throws IOException {
        Optional<String> line = first(p, "ready ");
        if (line.isEmpty() && !p.isAlive()) {
            throw new IllegalStateException("client exited: " + p.output());
        }
        return line.map(l -> l.split(" ")).orElse(null);
    }

    private JavaProcess client(Netns ns, String host, int port, int count, long deadlineSeconds, String name)
            throws IOException {
        return JavaProcess.start(ns.inside(List.of()), "128m", dir.resolve(name + "-client.log"),
                SilentClientMain.class.getName(), host, Integer.toString(port), Integer.toString(count),
                Long.toString(deadlineSeconds));
    }

    /** The first line of {@code p}'s output starting with {@code prefix}, split on spaces; fails after the time. */
    private static String[] awaitLine(JavaProcess p, String prefix, long seconds) throws IOException {
        await().atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (!p.isAlive() && first(p, prefix).isEmpty()) {
                throw new IllegalStateException("client exited: " + p.output());
            }
            return first(p, prefix).isPresent();
        });
        return first(p, prefix).orElseThrow().split(" ");
    }

    private static Optional<String> first(JavaProcess p, String prefix) throws IOException {
        return p.output().lines().filter(l -> l.startsWith(prefix)).findFirst();
    }
}
