package io.junction.reliability.scenarios;

import io.junction.core.testing.UdpEchoServer;
import io.junction.reliability.frame.AgentConfig;
import io.junction.reliability.frame.AgentProcess;
import io.junction.reliability.frame.FaultRow;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.Ports;
import io.junction.reliability.frame.ProcessUdpSockets;
import io.junction.reliability.frame.ReportExtension;
import io.junction.reliability.frame.Scenario;
import io.junction.reliability.frame.ScenarioInfo;
import io.junction.reliability.frame.Size;
import io.junction.reliability.traffic.UdpSourceFlood;
import io.junction.reliability.traffic.UdpSteadyFlow;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scenario 14: UDP flood. An agent serves one UDP echo service with a session cap; an established flow (one source
 * port, sequence-numbered datagrams at a steady rate, each echoed) runs while a flood arrives from many distinct
 * source ports, each bound for a moment, sending a few datagrams and closed: first paced at a rate the agent absorbs,
 * then an unpaced burst that overflows the listener's receive buffers on purpose. The session table must never pass
 * its cap (its gauge sampled during the flood; and no session may be created beyond it), the sources beyond the cap
 * must be refused and counted ({@code session_limit}: the proxy refuses new sources when full and never evicts, so
 * the established flow keeps its session), the flow must keep its round trips during the paced flood (during the
 * burst it loses its share, reported), and datagrams the kernel dropped on the listener's full receive buffers must
 * be counted by {@code junction_udp_receive_drops_total} exactly as the kernel counts them for the agent's listening
 * sockets. Afterwards the flood's sessions expire, their sockets close (the
 * agent's descriptors go back to where they were), and the agent is still ready.
 */
@ExtendWith(ReportExtension.class)
class UdpFloodScenarioTest {
    private static final String SERVICE = "service=\"default/flooded/udp\"";
    private static final String WARMUP = "service=\"default/warmup/udp\"";
    private static final int FLOW_PER_SECOND = 500;
    private static final int FLOW_MAX_DATAGRAMS = FLOW_PER_SECOND * 300;
    /** Source ports used on each of the flood's loopback addresses (127.0.14.0/24, which no other scenario uses). */
    private static final int PORTS_PER_ADDRESS = 30_000;
    private static final int FIRST_PORT = 20_000;

    /**
     * Flood sources in the paced phase and their rate (sources a second, over all flooding threads), sources of the
     * unpaced burst after it, datagrams each source sends, flooding threads, the service's session cap and idle
     * timeout (seconds; longer than the flood, so no session expires during it and the count of sessions created
     * bounds the table at every moment, not only when sampled).
     */
    record Params(int sources, double sourcesPerSecond, int burstSources, int datagramsPerSource, int floodThreads,
                  int maxSessions, int idleSeconds) {
        static Params of(Size size) {
            return size.pick(new Params(3_000, 500, 2_000, 2, 2, 1_000, 8),
                    new Params(60_000, 2_000, 10_000, 2, 2, 10_000, 40));
        }
    }

    /** Sources of the warm-up through the second service: the session path compiled before the measured flood. */
    private static final int WARMUP_SOURCES = 3_000;
    /** How often the session gauge is read during the flood (a scrape costs the agent CPU the data path shares). */
    private static final long SAMPLE_MILLIS = 500;

    @TempDir
    Path dir;

    @FaultRow
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "14", title = "UDP flood")
    void aFloodOfSourcesStaysUnderTheSessionCapWhileTheEstablishedFlowKeepsItsRoundTrips(Scenario scenario)
            throws Exception {
        Params p = Params.of(scenario.size());
        scenario.note(String.format(Locale.ROOT, "flow: %d datagrams/s of 64 B from one source port; flood: %,d "
                        + "sources at %,.0f/s (from 127.0.14.1-3), then a burst of %,d sources unpaced (127.0.14.4-5), "
                        + "each source bound for a moment, %d datagrams of 64 B, closed; %d flooding threads; "
                        + "maxSessions %,d, sessionIdleTimeout %d s", FLOW_PER_SECOND, p.sources(),
                p.sourcesPerSecond(), p.burstSources(), p.datagramsPerSource(), p.floodThreads(), p.maxSessions(),
                p.idleSeconds()));
        int admin = Ports.free();
        int listen = Ports.free();
        int warmupListen = Ports.free();
        Path config = dir.resolve("junction.yaml");
        InetSocketAddress service = new InetSocketAddress("127.0.0.1", listen);
        try (UdpEchoServer backend = UdpEchoServer.plain()) {
            AgentConfig.write(config, yaml(admin, listen, warmupListen, backend, p));
            try (AgentProcess agent = AgentProcess.startReady(config, admin, dir.resolve("agent.log"))) {
                warmUp(agent, warmupListen);
                try (UdpSteadyFlow flow = UdpSteadyFlow.start(service, FLOW_PER_SECOND, FLOW_MAX_DATAGRAMS)) {
                    flood(scenario, p, agent, listen, flow);
                }
            }
        }
    }

    /**
     * A running agent has its session path compiled: warm it through the other service, whose sessions then expire
     * (idle 1 s) before anything is measured.
     */
    private static void warmUp(AgentProcess agent, int warmupListen) throws Exception {
        UdpSourceFlood warmup = new UdpSourceFlood(new InetSocketAddress("127.0.0.1", warmupListen),
                List.of(InetAddress.getByName("127.0.14.9")), FIRST_PORT, WARMUP_SOURCES, 2, 64);
        warmup.run(WARMUP_SOURCES, 1, 5_000, TimeUnit.SECONDS.toMillis(30));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (agent.metric("junction_udp_sessions_active", WARMUP) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private static void flood(Scenario scenario, Params p, AgentProcess agent, int listen, UdpSteadyFlow flow)
            throws Exception {
        InetSocketAddress service = new InetSocketAddress("127.0.0.1", listen);
        long pid = agent.jvm().pid();
        Thread.sleep(1000); // the flow's session exists and its round trips run before the flood
        int warmEnd = flow.mark();
        int fdBaseline = agent.jvm().fdCount();
        double createdBefore = agent.metric("junction_udp_sessions_total", SERVICE);
        double refusedBefore = agent.metric("junction_failures_total", SERVICE, "reason=\"session_limit\"");
        double dropsBefore = agent.metric("junction_udp_receive_drops_total", SERVICE);
        long rcvbufBefore = ProcessUdpSockets.rcvbufErrors(pid);
        String loadBefore = loadAverage();

        // The paced flood, with the session gauge sampled through /metrics.
        AtomicInteger maxActive = new AtomicInteger();
        AtomicInteger samples = new AtomicInteger();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> sample(agent, sampling, maxActive, samples), "session-sampler");
        sampler.setDaemon(true);
        sampler.start();
        UdpSourceFlood flood = new UdpSourceFlood(service, addresses(1, 3), FIRST_PORT, PORTS_PER_ADDRESS,
                p.datagramsPerSource(), 64);
        int floodStart = flow.mark();
        UdpSourceFlood.Result r = flood.run(p.sources(), p.floodThreads(), p.sourcesPerSecond(),
                TimeUnit.MINUTES.toMillis(3));
        int floodEnd = flow.mark();
        Thread.sleep(500); // the agent reads what is still queued; late echoes arrive
        double dropsPaced = agent.metric("junction_udp_receive_drops_total", SERVICE) - dropsBefore;

        // The burst: new sources as fast as the threads go, far beyond what the agent can read, so that the
        // listener's receive buffers overflow and the kernel drops datagrams, the flow's among them.
        UdpSourceFlood burst = new UdpSourceFlood(service, addresses(4, 2), FIRST_PORT, PORTS_PER_ADDRESS,
                p.datagramsPerSource(), 64);
        int burstStart = flow.mark();
        UdpSourceFlood.Result b = burst.run(p.burstSources(), p.floodThreads(), 0,
                TimeUnit.MINUTES.toMillis(1));
        int burstEnd = flow.mark();
        Thread.sleep(500);
        sampling.set(false);
        sampler.join(5_000);

        double created = agent.metric("junction_udp_sessions_total", SERVICE) - createdBefore;
        double expiredDuringFlood = agent.metric("junction_udp_sessions_expired_total", SERVICE);
        double refused = agent.metric("junction_failures_total", SERVICE, "reason=\"session_limit\"")
                - refusedBefore;
        double gaugeAfter = agent.metric("junction_udp_sessions_active", SERVICE);
        // The kernel's count before and after the metric's: compared only when nothing moved in between.
        ProcessUdpSockets.Bound kernel;
        ProcessUdpSockets.Bound kernelAgain;
        double dropsMetric;
        int reads = 0;
        do {
            kernel = ProcessUdpSockets.onPort(pid, listen);
            dropsMetric = agent.metric("junction_udp_receive_drops_total", SERVICE);
            kernelAgain = ProcessUdpSockets.onPort(pid, listen);
        } while (kernel.drops() != kernelAgain.drops() && ++reads < 10);
        long rcvbufDelta = ProcessUdpSockets.rcvbufErrors(pid) - rcvbufBefore;

        // The flood's sessions expire; the flow keeps its own. Descriptors go back to the baseline.
        long expiryStart = System.nanoTime();
        long expiryDeadline = expiryStart + TimeUnit.SECONDS.toNanos(p.idleSeconds() + 15L);
        while (agent.metric("junction_udp_sessions_active", SERVICE) > 1
                && System.nanoTime() < expiryDeadline) {
            Thread.sleep(200);
        }
        double activeAfterExpiry = agent.metric("junction_udp_sessions_active", SERVICE);
        int fdAfter = agent.jvm().fdCount();
        while (fdAfter > fdBaseline && System.nanoTime() < expiryDeadline) {
            Thread.sleep(200);
            fdAfter = agent.jvm().fdCount();
        }
        double expirySeconds = (System.nanoTime() - expiryStart) / 1e9;
        int flowEnd = flow.mark();
        flow.stop(1000);
        int readyStatus = agent.get("/readyz").statusCode();

        scenario.note("host load average (1, 5, 15 min) before the flood " + loadBefore + ", after it "
                + loadAverage() + " on " + Runtime.getRuntime().availableProcessors() + " cores: the agent, the "
                + "flooding threads and whatever else runs on the host share them");
        int floodSent = floodEnd - floodStart;
        int floodDelivered = flow.delivered(floodStart, floodEnd);
        int burstSent = burstEnd - burstStart;
        int burstDelivered = flow.delivered(burstStart, burstEnd);
        scenario.note(String.format(Locale.ROOT, "paced flood: %,d sources (%,d datagrams) in %.1f s = %,.0f "
                        + "sources/s; %d ports skipped (taken on this host), %d sends failed; kernel drops "
                        + "%,.0f", r.sources(), r.datagrams(), r.seconds(), r.sourcesPerSecond(),
                r.portsTaken(), r.sendFailures(), dropsPaced));
        scenario.note(String.format(Locale.ROOT, "flow during the paced flood: %,d of %,d round trips, RTT "
                        + "p50 %.2f ms, p99 %.2f ms, max %.1f ms (before the flood: p99 %.2f ms); lost per "
                        + "second: %s", floodDelivered, floodSent, flow.rttMillis(floodStart, floodEnd, 0.5),
                flow.rttMillis(floodStart, floodEnd, 0.99), flow.rttMillis(floodStart, floodEnd, 1.0),
                flow.rttMillis(0, warmEnd, 0.99), flow.lossesPerSecond(floodStart, floodEnd)));
        scenario.note(String.format(Locale.ROOT, "unpaced burst: %,d sources (%,d datagrams) in %.2f s = "
                        + "%,.0f sources/s; the flow delivered %,d of %,d round trips meanwhile (its datagrams "
                        + "share the listener's receive buffer with the burst's)", b.sources(), b.datagrams(),
                b.seconds(), b.sourcesPerSecond(), burstDelivered, burstSent));
        scenario.note(String.format(Locale.ROOT, "whole flow %,d of %,d round trips; %d corrupt, %d "
                + "duplicate", flow.delivered(0, flowEnd), flowEnd, flow.corrupt(), flow.duplicates()));
        scenario.note(String.format(Locale.ROOT, "session gauge: %d samples, max %d, %.0f right after the "
                        + "flood; sessions created %,.0f (flood sources admitted %,.0f), refused datagrams "
                        + "(session_limit) %,.0f", samples.get(), maxActive.get(), gaugeAfter, created,
                created, refused));
        scenario.note(String.format(Locale.ROOT, "kernel drops on the listener's %d sockets: %,d by "
                        + "/proc/%d/net/udp (per socket %s; %,d at the second read), %,.0f by the metric (%,.0f "
                        + "before the flood); namespace-wide Udp RcvbufErrors +%,d (every socket of the namespace, "
                        + "the flow's and backend's too)", kernel.sockets(), kernel.drops(), pid,
                kernel.dropsPerSocket(), kernelAgain.drops(), dropsMetric, dropsBefore, rcvbufDelta));
        scenario.note(String.format(Locale.ROOT, "after the flood: sessions back to %.0f and descriptors "
                + "%d (baseline %d) in %.1f s", activeAfterExpiry, fdAfter, fdBaseline, expirySeconds));

        scenario.figure("flood sources sent, paced and burst", r.sources() + b.sources(), "", Bound.EXACTLY,
                p.sources() + p.burstSources());
        scenario.figure("largest session count sampled during the flood", maxActive.get(), "sessions",
                Bound.AT_MOST, p.maxSessions());
        // With none expired, the count created bounds the table at every moment, not only when sampled.
        scenario.figure("sessions expired during the flood (the idle timeout outlasts it)",
                expiredDuringFlood, "", Bound.EXACTLY, 0);
        scenario.figure("sessions created during the flood (the flow holds one slot)", created, "sessions",
                Bound.AT_MOST, p.maxSessions() - 1);
        scenario.figure("flood datagrams refused at the cap (session_limit)", refused, "", Bound.AT_LEAST, 1);
        scenario.figure("established flow round trips delivered during the paced flood",
                floodSent == 0 ? 0 : 100.0 * floodDelivered / floodSent, "%", Bound.AT_LEAST, 99);
        scenario.figure("corrupt or duplicate echoes", flow.corrupt() + flow.duplicates(), "",
                Bound.EXACTLY, 0);
        scenario.figure("kernel drops counted by junction_udp_receive_drops_total", dropsMetric - dropsBefore,
                "", Bound.AT_LEAST, 1);
        scenario.figure("junction_udp_receive_drops_total minus the kernel's count for the listener",
                kernel.drops() == kernelAgain.drops() ? dropsMetric - kernel.drops() : Double.NaN, "",
                Bound.EXACTLY, 0);
        scenario.figure("sessions left after the idle timeout (the flow's own)", activeAfterExpiry, "",
                Bound.EXACTLY, 1);
        scenario.figure("agent descriptors above the baseline after expiry", fdAfter - fdBaseline, "",
                Bound.AT_MOST, 0);
        scenario.figure("/readyz after the flood", readyStatus, "", Bound.EXACTLY, 200);
        scenario.assertPassed();
    }

    /** Samples the session gauge until told to stop (bounded: one /metrics call per 500 ms, at most 10 minutes). */
    private static void sample(AgentProcess agent, AtomicBoolean sampling, AtomicInteger max, AtomicInteger samples) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (sampling.get() && System.nanoTime() < deadline) {
            try {
                int active = (int) agent.metric("junction_udp_sessions_active", SERVICE);
                max.accumulateAndGet(active, Math::max);
                samples.incrementAndGet();
                Thread.sleep(SAMPLE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.io.IOException e) {
                // A scrape that timed out under the flood is a missed sample, not a failure of the scenario.
            }
        }
    }

    /** The first three fields of /proc/loadavg. */
    private static String loadAverage() throws java.io.IOException {
        String[] f = java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
        return f[0] + " " + f[1] + " " + f[2];
    }

    /** {@code count} loopback addresses from 127.0.14.{@code first}. */
    private static List<InetAddress> addresses(int first, int count) throws java.net.UnknownHostException {
        List<InetAddress> list = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(InetAddress.getByName("127.0.14." + (first + i)));
        }
        return list;
    }

    private static String yaml(int admin, int listen, int warmupListen, UdpEchoServer backend, Params p) {
        return AgentConfig.head(admin) + """
                services:
                  - name: flooded
                    protocol: udp
                    listen: 127.0.0.1:%d
                    maxSessions: %d
                    sessionIdleTimeout: %ds
                    endpoints: [127.0.0.1:%d]
                  - name: warmup
                    protocol: udp
                    listen: 127.0.0.1:%d
                    sessionIdleTimeout: 1s
                    endpoints: [127.0.0.1:%d]
                """.formatted(listen, p.maxSessions(), p.idleSeconds(), backend.port(), warmupListen, backend.port());
    }
}
