package io.junction.reliability.scenarios;

import io.junction.core.forward.DescriptorBudget;
import io.junction.core.testing.TcpEchoServer;
import io.junction.reliability.frame.AgentConfig;
import io.junction.reliability.frame.AgentProcess;
import io.junction.reliability.frame.Commands;
import io.junction.reliability.frame.FaultRow;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.Ports;
import io.junction.reliability.frame.ReportExtension;
import io.junction.reliability.frame.Scenario;
import io.junction.reliability.frame.ScenarioInfo;
import io.junction.reliability.frame.Size;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 12: descriptor exhaustion under an accept storm. The agent runs under {@code prlimit --nofile=1024}, so its
 * descriptor budget allows {@code (1024 - 192) / 2 = 416} proxied connections; a storm of more clients than that is
 * opened and held. Beyond the cap, clients must be refused at once (a close, not a wait in the backlog), counted, and
 * logged at most once a second, while /healthz answers and a config reload applies, and the agent stays nearly idle.
 * Then the agent's soft limit is lowered under its use with {@code prlimit --pid}, so that accept itself fails with
 * EMFILE: it must not spin. Last, the limit comes back and the held clients leave: a new client gets through within
 * a second.
 */
@ExtendWith(ReportExtension.class)
class DescriptorExhaustionScenarioTest {
    private static final int NOFILE = 1024;
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    /** Clients in the storm, and probe connections made while saturated. */
    record Params(int clients, int probes) {
        static Params of(Size size) {
            return size.pick(new Params(600, 40), new Params(1500, 200));
        }
    }

    @TempDir
    Path dir;

    @FaultRow
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "12", title = "Descriptor exhaustion under an accept storm")
    void beyondTheDescriptorCapClientsAreRefusedAtOnceAndTheAgentStaysResponsive(Scenario scenario) throws Exception {
        Assumptions.assumeTrue(prlimitAvailable(),
                "prlimit (util-linux) is needed to set the agent's descriptor limit");
        Params p = Params.of(scenario.size());
        int cap = DescriptorBudget.forLimit(NOFILE).connectionCap();
        scenario.note("prlimit --nofile=" + NOFILE + " (cap " + cap + " connections); " + p.clients()
                + " clients opened and held, then " + p.probes() + " probes while saturated");
        int admin = Ports.free();
        int listen = Ports.free();
        Path config = dir.resolve("junction.yaml");
        Path log = dir.resolve("agent.log");
        List<Socket> held = new ArrayList<>();
        try (TcpEchoServer backend = new TcpEchoServer();
             AgentProcess agent = AgentProcess.start(List.of("prlimit", "--nofile=" + NOFILE + ":" + NOFILE),
                     AgentConfig.write(config, yaml(admin, listen, backend, "1h")), admin, log)) {
            agent.awaitReady(java.time.Duration.ofSeconds(30));
            long pid = agent.jvm().pid();
            boolean warned = agent.outputQuietly().contains("descriptors=too_few");

            // The storm: every client connects as fast as one thread can, and stays.
            long stormStart = System.nanoTime();
            for (int i = 0; i < p.clients(); i++) {
                held.add(connect(listen));
            }
            int admitted = 0;
            int refused = 0;
            int hung = 0;
            for (int i = 0; i < held.size(); i++) {
                switch (exchange(held.get(i), "c" + i)) {
                    case ECHOED -> admitted++;
                    case ENDED -> refused++;
                    case TIMED_OUT -> hung++;
                }
            }

            // Saturated: probes are refused at once, /healthz answers, a reload applies, the agent idles.
            long cpuBefore = cpuTicks(pid);
            long windowStart = System.nanoTime();
            long slowestRefusalNanos = 0;
            int probesAdmitted = 0;
            for (int i = 0; i < p.probes(); i++) {
                long t0 = System.nanoTime();
                try (Socket s = connect(listen)) {
                    Outcome o = exchange(s, "probe" + i);
                    if (o == Outcome.ECHOED) {
                        probesAdmitted++;
                    } else {
                        slowestRefusalNanos = Math.max(slowestRefusalNanos, System.nanoTime() - t0);
                    }
                }
                Thread.sleep(25);
            }
            long slowestHealthNanos = 0;
            int healthFailures = 0;
            for (int i = 0; i < 20; i++) {
                long t0 = System.nanoTime();
                try {
                    healthFailures += agent.get("/healthz").statusCode() == 200 ? 0 : 1;
                } catch (IOException e) {
                    healthFailures++;
                }
                slowestHealthNanos = Math.max(slowestHealthNanos, System.nanoTime() - t0);
                Thread.sleep(50);
            }
            double cpuShare = cpuShare(pid, cpuBefore, windowStart);
            double reloadsBefore = agent.metric("junction_config_reloads_total");
            AgentConfig.write(config, yaml(admin, listen, backend, "30m"));
            long reloadStart = System.nanoTime();
            while (agent.metric("junction_config_reloads_total") <= reloadsBefore
                    && System.nanoTime() - reloadStart < TimeUnit.SECONDS.toNanos(10)) {
                Thread.sleep(50);
            }
            double reloadMillis = (System.nanoTime() - reloadStart) / 1e6;
            double reloadFailures = agent.metric("junction_config_reload_failures_total");
            double counted = agent.metric("junction_failures_total", "reason=\"descriptor_limit\"");
            double countedNodeWide = agent.metric("junction_descriptors_refused_total");
            double limitGauge = agent.metric("junction_descriptors_limit");
            double capGauge = agent.metric("junction_descriptors_connection_cap");
            double inUseGauge = agent.metric("junction_descriptors_connections");
            double stormSeconds = (System.nanoTime() - stormStart) / 1e9;
            List<Long> refusalLines = lineTimes(log, "event=connection_refused");

            // EMFILE: the soft limit lowered to the lowest free descriptor number, so every accept fails. The limit
            // bounds descriptor numbers, not their count: a limit under the count still lets accepts through when a
            // closed descriptor left a hole below it (each accepted client is refused and closed, reopening the hole).
            // Any descriptor the agent frees meanwhile opens such a hole (runs have seen the lowest free number drop),
            // so the limit follows the lowest free number down before each client.
            int fdsNow = agent.jvm().fdCount();
            int softLimit = Integer.MAX_VALUE;
            List<Socket> waiting = new ArrayList<>();
            long emfileStart = System.nanoTime();
            long cpuEmfile = cpuTicks(pid);
            for (int i = 0; i < 20; i++) {
                int lowestFree = agent.jvm().lowestFreeFd();
                if (lowestFree < softLimit) {
                    softLimit = lowestFree;
                    Commands.check("prlimit", "--pid", Long.toString(pid), "--nofile=" + softLimit + ":" + NOFILE);
                }
                waiting.add(connect(listen));
                Thread.sleep(100);
            }
            double emfileCpuShare = cpuShare(pid, cpuEmfile, emfileStart);
            double emfileSeconds = (System.nanoTime() - emfileStart) / 1e9;
            List<Long> acceptFailureLines = lineTimes(log, "event=accept_failed");

            // Recovery: the limit back, the storm gone; a new client is let through within a second.
            Commands.check("prlimit", "--pid", Long.toString(pid), "--nofile=" + NOFILE + ":" + NOFILE);
            // Read once the admin server can accept again (the counter keeps what happened meanwhile).
            double acceptFailures = agent.metric("junction_descriptors_accept_failures_total");
            for (Socket s : held) {
                s.close();
            }
            held.clear();
            for (Socket s : waiting) {
                s.close();
            }
            long releasedAt = System.nanoTime();
            long recoveredMillis = -1;
            while (System.nanoTime() - releasedAt < TimeUnit.SECONDS.toNanos(5)) {
                try (Socket s = connect(listen)) {
                    if (exchange(s, "after") == Outcome.ECHOED) {
                        recoveredMillis = (System.nanoTime() - releasedAt) / 1_000_000;
                        break;
                    }
                }
                Thread.sleep(20);
            }

            scenario.note("soft limit lowered to " + softLimit + ", the lowest free descriptor number, with " + fdsNow
                    + " descriptors open");
            scenario.figure("start warning that maxConnections cannot fit (1 = logged)", warned ? 1 : 0, "",
                    Bound.EXACTLY, 1);
            scenario.figure("clients admitted", admitted, "", Bound.EXACTLY, cap);
            scenario.figure("clients beyond the cap refused (closed)", refused, "", Bound.EXACTLY,
                    p.clients() - cap);
            scenario.figure("clients left hanging", hung, "", Bound.EXACTLY, 0);
            scenario.figure("slowest refusal of a probe while saturated", slowestRefusalNanos / 1e6, "ms",
                    Bound.AT_MOST, 100);
            scenario.figure("probes admitted while saturated", probesAdmitted, "", Bound.EXACTLY, 0);
            scenario.figure("slowest /healthz while saturated", slowestHealthNanos / 1e6, "ms", Bound.AT_MOST, 500);
            scenario.figure("/healthz failures while saturated", healthFailures, "", Bound.EXACTLY, 0);
            scenario.figure("config reload applied while saturated", reloadMillis, "ms", Bound.AT_MOST, 5000);
            scenario.figure("config reloads rejected", reloadFailures, "", Bound.EXACTLY, 0);
            scenario.figure("agent CPU while saturated (share of one core)", cpuShare * 100, "%", Bound.AT_MOST, 10);
            scenario.figure("refusals counted (descriptor_limit)", counted, "", Bound.EXACTLY,
                    refused + p.probes() - probesAdmitted);
            scenario.note(refusalLines.size() + " refusal log lines in " + Math.round(stormSeconds * 10) / 10.0
                    + " s; " + acceptFailureLines.size() + " accept-failure log lines in "
                    + Math.round(emfileSeconds * 10) / 10.0 + " s");
            // At most one line a second, read from the lines' own timestamps (millisecond resolution; 50 ms spare
            // for the moment logback takes its timestamp after the limiter let the line through).
            scenario.figure("junction_descriptors_refused_total", countedNodeWide, "", Bound.EXACTLY, counted);
            scenario.figure("junction_descriptors_limit", limitGauge, "", Bound.EXACTLY, NOFILE);
            scenario.figure("junction_descriptors_connection_cap", capGauge, "", Bound.EXACTLY, cap);
            scenario.figure("junction_descriptors_connections while saturated", inUseGauge, "", Bound.EXACTLY, cap);
            scenario.figure("refusal log lines", refusalLines.size(), "", Bound.AT_LEAST, 1);
            scenario.figure("shortest gap between two refusal log lines", shortestGap(refusalLines), "ms",
                    Bound.AT_LEAST, 950);
            scenario.figure("agent CPU while accept fails with EMFILE", emfileCpuShare * 100, "%", Bound.AT_MOST, 10);
            scenario.figure("accept failures counted", acceptFailures, "", Bound.AT_LEAST, 1);
            scenario.figure("shortest gap between two accept-failure log lines", shortestGap(acceptFailureLines),
                    "ms", Bound.AT_LEAST, 950);
            scenario.figure("new client admitted after the storm", recoveredMillis < 0 ? 5000 : recoveredMillis,
                    "ms", Bound.AT_MOST, 1000);
            scenario.assertPassed();
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    private static boolean prlimitAvailable() throws InterruptedException {
        try {
            return Commands.run(List.of("prlimit", "--version")).code() == 0;
        } catch (IOException notInstalled) {
            return false;
        }
    }

    private static String yaml(int admin, int listen, TcpEchoServer backend, String idleTimeout) {
        // maxConnections stays at its default (16384): far above the cap, so the start warning is due.
        return AgentConfig.head(admin) + """
                services:
                  - name: stormed
                    listen: 127.0.0.1:%d
                    idleTimeout: %s
                    endpoints: [127.0.0.1:%d]
                """.formatted(listen, idleTimeout, backend.address().getPort());
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return s;
    }

    enum Outcome { ECHOED, ENDED, TIMED_OUT }

    /** One echo round trip: the text back, the connection ended by the proxy (EOF or reset), or no answer in 3 s. */
    private static Outcome exchange(Socket s, String text) {
        try {
            s.setSoTimeout(3000);
            byte[] out = text.getBytes(StandardCharsets.US_ASCII);
            s.getOutputStream().write(out);
            byte[] in = s.getInputStream().readNBytes(out.length);
            return Arrays.equals(in, out) ? Outcome.ECHOED : Outcome.ENDED;
        } catch (java.net.SocketTimeoutException e) {
            return Outcome.TIMED_OUT;
        } catch (IOException e) {
            return Outcome.ENDED;
        }
    }

    /** User plus system CPU time of {@code pid}, in clock ticks, from /proc/PID/stat. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // After the command: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static double cpuShare(long pid, long ticksBefore, long since) throws IOException {
        double cpuSeconds = (cpuTicks(pid) - ticksBefore) / (double) CLOCK_TICKS_PER_SECOND;
        return cpuSeconds / ((System.nanoTime() - since) / 1e9);
    }

    /** The times (epoch ms) of the agent's log lines containing {@code marker}; each starts with an ISO timestamp. */
    private static List<Long> lineTimes(Path log, String marker) throws IOException {
        try (var s = Files.lines(log, StandardCharsets.UTF_8)) {
            return s.filter(l -> l.contains(marker))
                    .map(l -> OffsetDateTime.parse(l.substring(0, l.indexOf(' '))).toInstant().toEpochMilli()).toList();
        }
    }

    /** The shortest time between two consecutive lines; with fewer than two lines, one minute (no pair at all). */
    private static double shortestGap(List<Long> times) {
        long shortest = 60_000;
        for (int i = 1; i < times.size(); i++) {
            shortest = Math.min(shortest, times.get(i) - times.get(i - 1));
        }
        return shortest;
    }
}
