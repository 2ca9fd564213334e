package io.junction.bench.startup;

import io.junction.bench.targets.ChildProcess;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Watches one freshly started agent until it serves: polls, every {@value #POLL_MILLIS} ms, a TCP connect to the
 * service listener and {@code GET /readyz} on the admin server, and records when each first succeeded. Bounded by a
 * deadline; fails at once when the process exits. Thread-safe (stateless).
 */
final class StartupProbe {
    static final long POLL_MILLIS = 5;
    private static final int CONNECT_TIMEOUT_MILLIS = 200;
    private static final int READ_TIMEOUT_MILLIS = 1000;
    private static final Pattern STATUS_200 = Pattern.compile("HTTP/1\\.[01] 200 ");
    private static final Pattern STARTUP_MS = Pattern.compile("agent=started .*startup_ms=(\\d+)");
    /** How long to wait for the agent's start-up line once it serves (it is logged just after readiness). */
    private static final long LOG_LINE_WAIT_MILLIS = 2000;

    /** The moments the agent first served, in ms after its launch. */
    record Served(double listeningMillis, double readyMillis) {
    }

    /**
     * @throws StartupFailedException when the process exits first or the deadline passes
     */
    static Served await(ChildProcess child, StartupConfig config, Duration timeout)
            throws StartupFailedException, InterruptedException {
        long t0 = child.launchedNanos();
        long deadline = t0 + timeout.toNanos();
        InetSocketAddress readyz = config.admin();
        double listening = Double.NaN;
        double ready = Double.NaN;
        while (Double.isNaN(listening) || (readyz != null && Double.isNaN(ready))) {
            if (Double.isNaN(listening) && tcpAccepts(config.service())) {
                listening = millisSince(t0);
            }
            if (readyz != null && Double.isNaN(ready) && answers200(readyz)) {
                ready = millisSince(t0);
                // Ready means bound: a listener that came up while /readyz was being asked is taken now, not one
                // poll later, so "listening" never trails "ready" by the probe's own order.
                if (Double.isNaN(listening) && tcpAccepts(config.service())) {
                    listening = millisSince(t0);
                }
            }
            if (!child.isAlive()) {
                throw new StartupFailedException(child + " exited before it served; last log lines:\n"
                        + child.logTail(15));
            }
            if (System.nanoTime() > deadline) {
                throw new StartupFailedException(child + " did not " + (Double.isNaN(listening)
                        ? "accept on " + hostPort(config.service()) : "answer 200 on http://" + hostPort(readyz) + "/readyz") + " within "
                        + timeout.toMillis() + " ms; last log lines:\n" + child.logTail(15));
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
        }
        return new Served(listening, ready);
    }

    /** The agent's {@code startup_ms}, waiting briefly for the line; NaN when it does not come. */
    static double agentStartupMillis(Path log) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOG_LINE_WAIT_MILLIS);
        do {
            double v = startupMillisIn(log);
            if (!Double.isNaN(v)) {
                return v;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        } while (System.nanoTime() < deadline);
        return Double.NaN;
    }

    static double startupMillisIn(Path log) {
        try {
            Matcher m = STARTUP_MS.matcher(Files.readString(log, StandardCharsets.UTF_8));
            return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static double millisSince(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    private static boolean tcpAccepts(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * One {@code GET /readyz} on a fresh connection, reading only the status line. A plain socket rather than the
     * JDK's HttpClient on purpose: in trials the HttpClient (which hands every request to its selector thread and
     * retries internally) saw 200 up to a second after the agent logged its admin server listening, while a blocking
     * exchange sees it within the agent's first-request time, which is what this measures.
     */
    private static boolean answers200(InetSocketAddress admin) {
        try (Socket s = new Socket()) {
            s.connect(admin, CONNECT_TIMEOUT_MILLIS);
            s.setSoTimeout(READ_TIMEOUT_MILLIS);
            s.getOutputStream().write(("GET /readyz HTTP/1.1\r\nHost: " + hostPort(admin)
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            StringBuilder status = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\n' && status.length() < 64; c = in.read()) {
                status.append((char) c);
            }
            return STATUS_200.matcher(status).lookingAt();
        } catch (IOException e) {
            return false;
        }
    }

    static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
