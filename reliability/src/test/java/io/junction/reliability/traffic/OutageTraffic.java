package io.junction.reliability.traffic;

import io.junction.reliability.frame.AgentProcess;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the source outage scenarios (18 to 21) run through an agent while its discovery source is away: client threads
 * opening new connections one after another to a listener whose endpoints are {@link GreetingBackend}s (each
 * connection reads the greeting and checks one echo), and one thread asking {@code /readyz} every 250 ms. Every failed
 * connection and every not-ready answer is kept with its time (nanoTime). Bounded: it stops at {@link #close()} or
 * after {@code maxDuration}, whichever comes first.
 */
public final class OutageTraffic implements AutoCloseable {
    private static final byte[] PING = "outage".getBytes(StandardCharsets.US_ASCII);

    private final int listen;
    private final long pauseMillis;
    private final AgentProcess agent;
    private final long started = System.nanoTime();
    private final long deadline;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong connections = new AtomicLong();
    private final ConcurrentLinkedQueue<Long> failures = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> failureSamples = new ConcurrentLinkedQueue<>();
    private final AtomicLong probes = new AtomicLong();
    private final ConcurrentLinkedQueue<Long> notReady = new ConcurrentLinkedQueue<>();
    private volatile boolean stop;

    /**
     * Starts {@code clients} client threads ({@code pauseMillis} between a thread's connections) on 127.0.0.1:listen
     * and the readiness probe of {@code agent}.
     */
    public OutageTraffic(int listen, int clients, long pauseMillis, AgentProcess agent, Duration maxDuration) {
        this.listen = listen;
        this.pauseMillis = pauseMillis;
        this.agent = agent;
        this.deadline = System.nanoTime() + maxDuration.toNanos();
        for (int i = 0; i < clients; i++) {
            threads.add(daemon("outage-client-" + i, this::clientLoop));
        }
        threads.add(daemon("outage-readyz", this::probeLoop));
    }

    private boolean running() {
        return !stop && System.nanoTime() < deadline;
    }

    private void clientLoop() {
        while (running()) {
            long at = System.nanoTime();
            String problem = connectOnce();
            connections.incrementAndGet();
            if (problem != null) {
                failures.add(at);
                if (failureSamples.size() < 5) {
                    failureSamples.add(problem + " at +" + TimeUnit.NANOSECONDS.toMillis(at - started) + " ms");
                }
            }
            pause(pauseMillis);
        }
    }

    /** One connection through the agent; null when it greeted and echoed, else what went wrong. */
    private String connectOnce() {
        try (Socket s = new Socket("127.0.0.1", listen)) {
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            int id = in.read();
            if (id < 0) {
                return "closed before the greeting";
            }
            OutputStream out = s.getOutputStream();
            out.write(PING);
            out.flush();
            return Arrays.equals(in.readNBytes(PING.length), PING) ? null : "no echo from backend " + id;
        } catch (IOException e) {
            return e.toString();
        }
    }

    private void probeLoop() {
        while (running()) {
            long at = System.nanoTime();
            int code;
            try {
                code = agent.get("/readyz").statusCode();
            } catch (IOException e) {
                code = -1;
            } catch (InterruptedException e) {
                return;
            }
            probes.incrementAndGet();
            if (code != 200) {
                notReady.add(at);
            }
            pause(250);
        }
    }

    /** Connections attempted so far. */
    public long connections() {
        return connections.get();
    }

    /** Failed connections that started at or after {@code from} and before {@code to} (nanoTime). */
    public long failuresBetween(long from, long to) {
        return failures.stream().filter(t -> t >= from && t < to).count();
    }

    public long failures() {
        return failures.size();
    }

    /** Up to five failures, described. */
    public List<String> failureSamples() {
        return List.copyOf(failureSamples);
    }

    public long probes() {
        return probes.get();
    }

    /** Readiness answers other than 200 (or no answer) between {@code from} and {@code to}. */
    public long notReadyBetween(long from, long to) {
        return notReady.stream().filter(t -> t >= from && t < to).count();
    }

    public long notReady() {
        return notReady.size();
    }

    /** Stops the clients and the probe and waits for them (each ends within its 5 s socket timeout). */
    public void stop() {
        stop = true;
        try {
            for (Thread t : threads) {
                t.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * How long after {@code back} (nanoTime) a change reached the data path: the first accept on {@code added} at or
     * after {@code back}, and the last accept on {@code removed} at or after it (0 when none came after).
     */
    public static Convergence convergence(long back, GreetingBackend added, GreetingBackend removed) {
        long now = System.nanoTime();
        long first = added.accepts().stream().filter(t -> t >= back).findFirst().orElse(-1L);
        long last = removed.accepts().stream().filter(t -> t >= back).reduce((a, b) -> b).orElse(back);
        return new Convergence(first < 0 ? -1 : (first - back) / 1e6, (last - back) / 1e6, (now - back) / 1e6);
    }

    /**
     * Milliseconds from a source's return to the first connection on the added endpoint (-1: none yet) and to the
     * last on the removed one, out of {@code watchedMillis} looked at.
     */
    public record Convergence(double firstToAddedMillis, double lastToRemovedMillis, double watchedMillis) {
        /** The slower of the two; the whole time watched when the added endpoint was never reached. */
        public double worstMillis() {
            return firstToAddedMillis < 0 ? watchedMillis : Math.max(firstToAddedMillis, lastToRemovedMillis);
        }

        public String describe() {
            return String.format(java.util.Locale.ROOT, "first connection to the added endpoint %s, last to the "
                    + "removed one %.0f ms after", firstToAddedMillis < 0 ? "never (watched "
                    + Math.round(watchedMillis) + " ms)" : Math.round(firstToAddedMillis) + " ms after",
                    lastToRemovedMillis);
        }
    }
}
