package io.junction.bench.targets;

import io.junction.core.model.Protocol;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Waits, bounded, until a freshly started proxy serves its listen port: a TCP connect for TCP, the port showing up
 * in {@code /proc/net/udp} for UDP. Fails fast when the process exits. Thread-safe (stateless).
 */
final class Readiness {
    private static final int CONNECT_TIMEOUT_MILLIS = 200;
    private static final long POLL_MILLIS = 10;

    private Readiness() {
    }

    /** @return {@link System#nanoTime()} at the moment the port was found serving */
    static long await(ChildProcess child, InetSocketAddress listen, Protocol protocol, Duration timeout)
            throws TargetUnavailableException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (protocol == Protocol.TCP ? tcpAccepts(listen) : udpBound(listen.getPort())) {
                return System.nanoTime();
            }
            if (!child.isAlive()) {
                throw new TargetUnavailableException(child + " exited before listening on " + hostPort(listen)
                        + "; last log lines:\n" + child.logTail(15));
            }
            if (System.nanoTime() > deadline) {
                throw new TargetUnavailableException(child + " did not listen on " + hostPort(listen) + " within "
                        + timeout.toMillis() + " ms; last log lines:\n" + child.logTail(15));
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
        }
    }

    static String hostPort(InetSocketAddress a) {
        return (a.isUnresolved() ? a.getHostString() : a.getAddress().getHostAddress()) + ":" + a.getPort();
    }

    private static boolean tcpAccepts(InetSocketAddress listen) {
        try (Socket s = new Socket()) {
            s.connect(listen, CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean udpBound(int port) {
        String suffix = String.format(Locale.ROOT, ":%04X", port);
        for (String file : new String[] {"/proc/net/udp", "/proc/net/udp6"}) {
            try {
                for (String line : Files.readAllLines(Paths.get(file), StandardCharsets.US_ASCII)) {
                    String[] cols = line.trim().split("\\s+");
                    if (cols.length > 1 && cols[1].endsWith(suffix)) {
                        return true;
                    }
                }
            } catch (IOException e) {
                // No IPv6 table on this kernel; the other file decides.
            }
        }
        return false;
    }
}
