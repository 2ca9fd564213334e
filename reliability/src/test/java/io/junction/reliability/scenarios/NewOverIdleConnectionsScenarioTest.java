package io.junction.reliability.scenarios;

import io.junction.core.forward.DescriptorBudget;
import io.junction.core.testing.TcpEchoServer;
import io.junction.reliability.frame.AgentConfig;
import io.junction.reliability.frame.AgentProcess;
import io.junction.reliability.frame.DescriptorLimits;
import io.junction.reliability.frame.Figure;
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
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scenario 15: new connections on top of idle ones. The agent holds many idle proxied connections (each proved with
 * one echo), then new clients arrive at a steady rate, each doing one round trip and closing. Every new connection
 * must succeed (no connect error, reset or timeout), the idle ones must all still be open and echo at the end, and
 * the new connections' round trip stays within a sanity bound (its p99 is the figure to read).
 *
 * <p>Descriptors: the test JVM holds both ends it owns (client sockets and the in-test echo backend's), the agent two
 * per connection; the test JVM's limit is raised if needed before the agent starts, which inherits it. Ports: the
 * clients close first, so their ends go to TIME_WAIT; they are spread over several source addresses (127.0.0.10 and
 * up) so that no single address runs out of ephemeral ports at the full rate.
 */
@ExtendWith(ReportExtension.class)
class NewOverIdleConnectionsScenarioTest {
    /** Source addresses the clients bind, in turn. */
    private static final int SOURCES = 16;
    /** Threads making new connections on the schedule: far more than the rate needs at a few ms per connection. */
    private static final int CONNECTORS = 16;
    private static final int TIMEOUT_MILLIS = 5000;

    /** Idle connections held, then new connections per second for some seconds. */
    record Params(int idle, int perSecond, int seconds) {
        static Params of(Size size) {
            return size.pick(new Params(1000, 200, 5), new Params(5000, 500, 60));
        }
    }

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "15", title = "New connections on top of idle ones")
    void newConnectionsAllSucceedWhileIdleOnesStayOpen(Scenario scenario) throws Exception {
        Params p = Params.of(scenario.size());
        int total = p.perSecond() * p.seconds();
        // Client and backend ends here, plus the new connections in flight and the JVM's own; the agent inherits it.
        long limit = DescriptorLimits.atLeast(2L * p.idle() + 2L * CONNECTORS + 1024);
        int cap = DescriptorBudget.forLimit(limit).connectionCap();
        scenario.note(p.idle() + " idle connections held, then " + p.perSecond() + " new connections/s for "
                + p.seconds() + " s (" + total + "), each one echo round trip and a close, from " + SOURCES
                + " source addresses 127.0.0.10-" + (10 + SOURCES - 1) + "; descriptor limit " + limit
                + " (agent's connection cap " + cap + ")");
        int admin = Ports.free();
        int listen = Ports.free();
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", listen);
        List<Socket> idle = new ArrayList<>();
        try (TcpEchoServer backend = new TcpEchoServer();
             AgentProcess agent = AgentProcess.startReady(AgentConfig.write(dir.resolve("junction.yaml"),
                     AgentConfig.head(admin) + """
                             services:
                               - name: busy
                                 listen: 127.0.0.1:%d
                                 endpoints: [127.0.0.1:%d]
                             """.formatted(listen, backend.address().getPort())),
                     admin, dir.resolve("agent.log"))) {
            long openStart = System.nanoTime();
            int idleFailures = openIdle(target, p.idle(), idle);
            double openSeconds = (System.nanoTime() - openStart) / 1e9;
            double activeWithIdle = agent.metric("junction_connections_active");

            NewConnections fresh = new NewConnections(target, p.perSecond(), total);
            fresh.run(TimeUnit.SECONDS.toNanos(p.seconds() + 60L));

            int idleEchoing = 0;
            for (int i = 0; i < idle.size(); i++) {
                idleEchoing += roundTrip(idle.get(i), "still" + i) ? 1 : 0;
            }
            // The new connections' closes reach the agent a moment after the clients close.
            double activeAfter = awaitMetric(agent, "junction_connections_active", idleEchoing, 5000);
            double failuresCounted = agent.metric("junction_failures_total");

            List<Double> latencies = fresh.latenciesMillis();
            scenario.note(String.format(Locale.ROOT, "idle connections opened in %.1f s (%d failed); "
                            + "junction_connections_active %s with them", openSeconds, idleFailures,
                    Figure.format(activeWithIdle)));
            scenario.note(String.format(Locale.ROOT, "new connections: %d of %d done (%d failed) in %.1f s; round trip p50 "
                            + "%.2f ms, p99 %.2f ms, max %.2f ms; latest start behind schedule %.1f ms",
                    fresh.completed(), total, fresh.failed.get(), fresh.seconds(), percentile(latencies, 0.5),
                    percentile(latencies, 0.99), percentile(latencies, 1.0), fresh.worstLagMillis()));
            if (!fresh.firstProblems().isEmpty()) {
                scenario.note("first problems: " + fresh.firstProblems());
            }
            scenario.figure("idle connections opened and echoing", p.idle() - idleFailures, "", Bound.EXACTLY,
                    p.idle());
            // Counted as those not completed: a failure, or a ticket the time budget never reached.
            scenario.figure("new connections failed (connect error, reset, timeout, wrong echo)",
                    total - fresh.completed(), "", Bound.EXACTLY, 0);
            scenario.figure("idle connections still open and echoing at the end", idleEchoing, "", Bound.EXACTLY,
                    p.idle());
            scenario.figure("junction_connections_active after the new ones closed", activeAfter, "",
                    Bound.EXACTLY, p.idle());
            scenario.figure("junction_failures_total", failuresCounted, "", Bound.EXACTLY, 0);
            // A sanity bound only: a connection stuck behind the idle ones (a scan per accept, a full backlog, a
            // retransmitted SYN) takes a second or more; everything else is far below it.
            scenario.figure("new-connection round trip p99", percentile(latencies, 0.99), "ms", Bound.AT_MOST, 500);
            scenario.figure("achieved rate of new connections", fresh.completed() / fresh.seconds(), "/s",
                    Bound.AT_LEAST, p.perSecond() * 0.9);
            scenario.assertPassed();
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    /** Opens {@code count} connections with one echo each (4 threads); adds them to {@code into}; failures. */
    private static int openIdle(InetSocketAddress target, int count, List<Socket> into) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Socket>> opened = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                opened.add(pool.submit(() -> {
                    Socket s = connect(n, target);
                    if (!roundTrip(s, "idle" + n)) {
                        s.close();
                        return null;
                    }
                    return s;
                }));
            }
            int failed = 0;
            for (Future<Socket> f : opened) {
                Socket s;
                try {
                    s = f.get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    s = null;
                }
                if (s == null) {
                    failed++;
                } else {
                    into.add(s);
                }
            }
            return failed;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The new connections: {@link #CONNECTORS} threads take tickets in turn, and ticket i starts at
     * {@code start + i / rate} (an open-loop schedule: a slow connection does not delay the ones after it unless every
     * thread is busy). Each is timed from its connect to its echo.
     */
    private static final class NewConnections {
        private final InetSocketAddress target;
        private final long intervalNanos;
        private final int total;
        private final AtomicInteger tickets = new AtomicInteger();
        private final AtomicInteger completed = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();
        private final AtomicLong worstLagNanos = new AtomicLong();
        private final AtomicLong lastEndNanos = new AtomicLong();
        private final ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        private long startNanos;

        NewConnections(InetSocketAddress target, int perSecond, int total) {
            this.target = target;
            this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
            this.total = total;
        }

        /** Runs every ticket, or until {@code budgetNanos} is up. */
        void run(long budgetNanos) throws InterruptedException {
            ExecutorService pool = Executors.newFixedThreadPool(CONNECTORS);
            startNanos = System.nanoTime();
            long deadline = startNanos + budgetNanos;
            for (int t = 0; t < CONNECTORS; t++) {
                pool.execute(() -> work(deadline));
            }
            pool.shutdown();
            if (!pool.awaitTermination(budgetNanos + TimeUnit.SECONDS.toNanos(10), TimeUnit.NANOSECONDS)) {
                pool.shutdownNow();
            }
        }

        private void work(long deadline) {
            for (int i = tickets.getAndIncrement(); i < total; i = tickets.getAndIncrement()) {
                long due = startNanos + i * intervalNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                long t0 = System.nanoTime();
                if (t0 > deadline) {
                    return;
                }
                worstLagNanos.accumulateAndGet(t0 - due, Math::max);
                try (Socket s = connect(i, target)) {
                    if (roundTrip(s, "new" + i)) {
                        long t1 = System.nanoTime();
                        latencies.add((t1 - t0) / 1e6);
                        completed.incrementAndGet();
                        lastEndNanos.accumulateAndGet(t1, Math::max);
                    } else {
                        problem("connection " + i + ": no echo (closed, reset or timed out)");
                    }
                } catch (IOException e) {
                    problem("connection " + i + ": " + e);
                }
            }
        }

        private void problem(String what) {
            failed.incrementAndGet();
            if (problems.size() < 5) {
                problems.add(what);
            }
        }

        int completed() {
            return completed.get();
        }

        /** From the first start to the last completion. */
        double seconds() {
            return Math.max(1, lastEndNanos.get() - startNanos) / 1e9;
        }

        double worstLagMillis() {
            return worstLagNanos.get() / 1e6;
        }

        List<Double> latenciesMillis() {
            return List.copyOf(latencies);
        }

        List<String> firstProblems() {
            return List.copyOf(problems);
        }
    }

    /** A connection from source address 127.0.0.(10 + n mod SOURCES). */
    private static Socket connect(int n, InetSocketAddress target) throws IOException {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress("127.0.0." + (10 + n % SOURCES), 0));
            s.connect(target, TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** One echo round trip; false when the connection ended, was reset, timed out or echoed other bytes. */
    private static boolean roundTrip(Socket s, String text) {
        try {
            byte[] out = text.getBytes(StandardCharsets.US_ASCII);
            s.getOutputStream().write(out);
            return Arrays.equals(s.getInputStream().readNBytes(out.length), out);
        } catch (IOException e) {
            return false;
        }
    }

    /** Polls {@code name} until it reads {@code expected} or {@code millis} pass; the last value read. */
    private static double awaitMetric(AgentProcess agent, String name, double expected, long millis)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        double v = agent.metric(name);
        while (v != expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
            v = agent.metric(name);
        }
        return v;
    }

    private static double percentile(List<Double> values, double q) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1)));
    }
}
