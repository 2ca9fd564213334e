package io.junction.reliability.traffic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * An established UDP flow through an echo service: one client socket (one source port, so one session at the proxy)
 * sending sequence-numbered datagrams at a steady rate while a receiver thread records which came back and how long
 * each took. A round trip is delivered when its echo arrives, byte-exact, before {@link #stop()}'s grace ends; there
 * is no retransmission, so the figure is the raw delivery of the path.
 *
 * <p>Bounded: at most {@code maxDatagrams} are sent, each send waits for its slot of the schedule, and both threads
 * end on {@link #stop()}. Thread-safe.
 */
public final class UdpSteadyFlow implements AutoCloseable {
    private static final int SIZE = 64;
    /** Marks a flow datagram: a reply that does not carry it (or carries it wrongly) counts as corrupt. */
    private static final long MAGIC = 0x4a554e4354494f4eL;

    private final DatagramSocket socket;
    private final long periodNanos;
    private final int maxDatagrams;
    private final AtomicLongArray sentAt;
    private final AtomicLongArray rttNanos;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicLong corrupt = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final Thread sender;
    private final Thread receiver;
    private volatile boolean stopSending;
    private volatile boolean stopReceiving;

    private UdpSteadyFlow(InetSocketAddress target, int perSecond, int maxDatagrams) throws SocketException {
        this.socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        socket.setReceiveBufferSize(1 << 20);
        socket.setSoTimeout(100);
        socket.connect(target);
        this.periodNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
        this.maxDatagrams = maxDatagrams;
        this.sentAt = new AtomicLongArray(maxDatagrams);
        this.rttNanos = new AtomicLongArray(maxDatagrams);
        this.sender = new Thread(this::send, "udp-flow-send");
        this.receiver = new Thread(this::receive, "udp-flow-receive");
        sender.setDaemon(true);
        receiver.setDaemon(true);
    }

    /** Starts sending {@code perSecond} datagrams a second to {@code target}, at most {@code maxDatagrams} in all. */
    public static UdpSteadyFlow start(InetSocketAddress target, int perSecond, int maxDatagrams) {
        try {
            UdpSteadyFlow flow = new UdpSteadyFlow(target, perSecond, maxDatagrams);
            flow.receiver.start();
            flow.sender.start();
            return flow;
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The flow's source address: its session key at the proxy. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** The sequence number the next datagram will carry: a mark in the flow's timeline. */
    public int mark() {
        return sent.get();
    }

    /** Stops sending, waits {@code grace} for the last echoes, then stops receiving. Idempotent. */
    public void stop(long graceMillis) throws InterruptedException {
        if (stopSending) {
            return;
        }
        stopSending = true;
        sender.join(5_000);
        Thread.sleep(graceMillis);
        stopReceiving = true;
        receiver.join(5_000);
    }

    /** Round trips among sequence numbers {@code [from, to)} whose echo came back. */
    public int delivered(int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            n += rttNanos.get(i) > 0 ? 1 : 0;
        }
        return n;
    }

    /** Round trips lost in each second of {@code [from, to)} (by send time, at the flow's rate), in order. */
    public List<Integer> lossesPerSecond(int from, int to) {
        int perSecond = (int) (TimeUnit.SECONDS.toNanos(1) / periodNanos);
        List<Integer> losses = new ArrayList<>();
        for (int start = from; start < to; start += perSecond) {
            int end = Math.min(to, start + perSecond);
            losses.add(end - start - delivered(start, end));
        }
        return losses;
    }

    /** The {@code q} quantile (0..1) of the round-trip times of delivered datagrams in {@code [from, to)}, in ms. */
    public double rttMillis(int from, int to, double q) {
        long[] rtts = new long[Math.max(0, to - from)];
        int n = 0;
        for (int i = from; i < to; i++) {
            long r = rttNanos.get(i);
            if (r > 0) {
                rtts[n++] = r;
            }
        }
        if (n == 0) {
            return Double.NaN;
        }
        Arrays.sort(rtts, 0, n);
        int rank = Math.max(0, Math.min(n - 1, (int) Math.ceil(q * n) - 1));
        return rtts[rank] / 1e6;
    }

    /** Replies that were not a byte-exact echo of a flow datagram. */
    public long corrupt() {
        return corrupt.get();
    }

    /** Echoes received twice for the same sequence number. */
    public long duplicates() {
        return duplicates.get();
    }

    private void send() {
        byte[] out = new byte[SIZE];
        ByteBuffer b = ByteBuffer.wrap(out);
        long start = System.nanoTime();
        for (int seq = 0; seq < maxDatagrams && !stopSending; seq++) {
            long due = start + seq * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            fill(b, seq);
            sentAt.set(seq, System.nanoTime());
            try {
                socket.send(new DatagramPacket(out, SIZE));
            } catch (IOException e) {
                // A send that fails (ICMP from an earlier datagram) is a lost round trip, not the end of the flow.
            }
            sent.set(seq + 1);
        }
    }

    private void receive() {
        byte[] in = new byte[2048];
        byte[] expected = new byte[SIZE];
        ByteBuffer e = ByteBuffer.wrap(expected);
        DatagramPacket packet = new DatagramPacket(in, in.length);
        while (!stopReceiving) {
            try {
                packet.setData(in);
                socket.receive(packet);
            } catch (SocketTimeoutException idle) {
                continue;
            } catch (IOException ex) {
                if (socket.isClosed()) {
                    return;
                }
                continue;
            }
            long now = System.nanoTime();
            int seq = packet.getLength() == SIZE ? ByteBuffer.wrap(in, 8, 4).getInt() : -1;
            if (seq < 0 || seq >= maxDatagrams) {
                corrupt.incrementAndGet();
                continue;
            }
            fill(e, seq);
            if (!Arrays.equals(in, 0, SIZE, expected, 0, SIZE)) {
                corrupt.incrementAndGet();
            } else if (!rttNanos.compareAndSet(seq, 0, Math.max(1, now - sentAt.get(seq)))) {
                duplicates.incrementAndGet();
            }
        }
    }

    /** A flow datagram: the magic, the sequence number, then bytes derived from it. */
    private static void fill(ByteBuffer b, int seq) {
        b.clear();
        b.putLong(MAGIC).putInt(seq);
        while (b.hasRemaining()) {
            b.put((byte) (seq * 31 + b.position()));
        }
    }

    /** Stops both threads (an interrupt is kept for the caller) and closes the socket. */
    @Override
    public void close() {
        try {
            stop(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        socket.close();
    }
}
