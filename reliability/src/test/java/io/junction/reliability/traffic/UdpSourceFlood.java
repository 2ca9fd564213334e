package io.junction.reliability.traffic;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A UDP flood from many distinct sources: for each source a datagram channel is bound to its own {@code ip:port}
 * (ports counted up from {@code firstPort} on each of a few loopback addresses, so no two sources share a session key
 * at the proxy, which a reused ephemeral port could), sends a few datagrams to the target as fast as it can, and is
 * closed at once. A port already taken on this host is skipped and the next one tried. The sources may be paced to a
 * rate, or sent as fast as the threads go.
 *
 * <p>Bounded: one channel open at a time per thread, at most {@code sources} sources, and it stops at its deadline.
 * Each call of {@link #run} uses only its own state; thread-safe to run from several threads on disjoint slices.
 */
public final class UdpSourceFlood {
    /** How far behind its schedule a paced thread may be before it drops the lag instead of bursting. */
    private static final long MAX_CATCH_UP_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final InetSocketAddress target;
    private final List<InetAddress> addresses;
    private final int firstPort;
    private final int portsPerAddress;
    private final int datagramsPerSource;
    private final int payloadBytes;

    /**
     * @param addresses       loopback addresses the sources are bound to, in turn
     * @param firstPort       the first source port on each address; {@code portsPerAddress} ports are used from it
     * @param datagramsPerSource datagrams each source sends before it is closed
     */
    public UdpSourceFlood(InetSocketAddress target, List<InetAddress> addresses, int firstPort, int portsPerAddress,
                          int datagramsPerSource, int payloadBytes) {
        if (firstPort < 1024 || firstPort + portsPerAddress > 65536) {
            throw new IllegalArgumentException("firstPort: " + firstPort + " + " + portsPerAddress
                    + " ports (expected: within 1024..65535)");
        }
        this.target = target;
        this.addresses = List.copyOf(addresses);
        this.firstPort = firstPort;
        this.portsPerAddress = portsPerAddress;
        this.datagramsPerSource = datagramsPerSource;
        this.payloadBytes = payloadBytes;
    }

    /** What one run of the flood did. */
    public record Result(int sources, long datagrams, int portsTaken, int sendFailures, double seconds) {
        public double sourcesPerSecond() {
            return seconds > 0 ? sources / seconds : 0;
        }
    }

    /** Candidate source slots: every port of every address. */
    public int capacity() {
        return addresses.size() * portsPerAddress;
    }

    /**
     * Floods from up to {@code sources} sources taken from slots {@code [fromSlot, toSlot)}, stopping at
     * {@code deadlineNanos} ({@link System#nanoTime()}), at most {@code perSecond} sources a second (0: no pacing).
     */
    public Result run(int fromSlot, int toSlot, int sources, double perSecond, long deadlineNanos)
            throws IOException, InterruptedException {
        ByteBuffer payload = ByteBuffer.allocate(payloadBytes);
        long t0 = System.nanoTime();
        long periodNanos = perSecond > 0 ? (long) (1e9 / perSecond) : 0;
        int made = 0;
        int taken = 0;
        int failures = 0;
        long datagrams = 0;
        for (int slot = fromSlot; slot < toSlot && made < sources && System.nanoTime() < deadlineNanos; slot++) {
            // Paced on an absolute schedule: a thread that fell behind catches up without sleeping, but only
            // MAX_CATCH_UP_NANOS worth of sources: a thread descheduled for longer (a loaded host) would otherwise send them as
            // one burst, which is the unpaced part's job, not the paced one's.
            long ahead = t0 + made * periodNanos - System.nanoTime();
            if (periodNanos > 0 && ahead < -MAX_CATCH_UP_NANOS) {
                t0 -= ahead + MAX_CATCH_UP_NANOS;
                ahead = -MAX_CATCH_UP_NANOS;
            }
            if (ahead > 1_000_000) {
                TimeUnit.NANOSECONDS.sleep(ahead);
            }
            InetSocketAddress source = new InetSocketAddress(addresses.get(slot / portsPerAddress),
                    firstPort + slot % portsPerAddress);
            try (DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET)) {
                try {
                    ch.bind(source);
                } catch (BindException inUse) {
                    taken++;
                    continue;
                }
                made++;
                for (int i = 0; i < datagramsPerSource; i++) {
                    payload.clear();
                    payload.putInt(0, slot);
                    try {
                        datagrams += ch.send(payload, target) > 0 ? 1 : 0;
                    } catch (IOException e) {
                        failures++;
                    }
                }
            }
        }
        return new Result(made, datagrams, taken, failures, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * {@code n} sources spread over {@code threads} threads on disjoint slots, {@code perSecond} sources a second in
     * all (0: as fast as the threads go); each thread stops at the deadline.
     */
    public Result run(int n, int threads, double perSecond, long timeoutMillis) throws Exception {
        if (n > capacity()) {
            throw new IllegalArgumentException("n: " + n + " (expected: <= " + capacity() + " source slots)");
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        int slice = capacity() / threads;
        Result[] results = new Result[threads];
        Exception[] errors = new Exception[threads];
        Thread[] workers = new Thread[threads];
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int index = t;
            int share = n / threads + (t < n % threads ? 1 : 0);
            workers[t] = new Thread(() -> {
                try {
                    results[index] = run(index * slice, (index + 1) * slice, share, perSecond / threads, deadline);
                } catch (IOException | InterruptedException | RuntimeException e) {
                    errors[index] = e;
                }
            }, "udp-flood-" + t);
            workers[t].start();
        }
        int sources = 0;
        long datagrams = 0;
        int taken = 0;
        int failures = 0;
        for (int t = 0; t < threads; t++) {
            workers[t].join(timeoutMillis + 10_000);
            if (errors[t] != null) {
                throw errors[t];
            }
            if (results[t] != null) {
                sources += results[t].sources();
                datagrams += results[t].datagrams();
                taken += results[t].portsTaken();
                failures += results[t].sendFailures();
            }
        }
        return new Result(sources, datagrams, taken, failures, (System.nanoTime() - t0) / 1e9);
    }
}
