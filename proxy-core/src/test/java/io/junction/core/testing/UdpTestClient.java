package io.junction.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;

/**
 * A UDP client on 127.0.0.1 with a fixed source port for the whole test, connected to one target (the proxy). Offers
 * raw send/receive and a paced request/response exchange with bounded retransmission, which lets tests demand full
 * delivery on loopback and still survive the one datagram a backend failure legitimately loses.
 *
 * <p>Not thread-safe: use one client per thread.
 */
public final class UdpTestClient implements AutoCloseable {
    private static final int MAX_DATAGRAM = 65_535 + UdpEchoServer.TAG_BYTES;

    private final DatagramSocket socket;
    private final byte[] buffer = new byte[MAX_DATAGRAM];
    private long retransmits;
    private long strayReplies;

    public UdpTestClient(InetSocketAddress target) {
        try {
            socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            socket.setReceiveBufferSize(1 << 20);
            socket.connect(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The client's own address: its session key at the proxy. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    public void send(byte[] data) {
        try {
            socket.send(new DatagramPacket(data, data.length));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next datagram, or null when none arrives within {@code timeout}. */
    public byte[] receive(Duration timeout) {
        try {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            socket.receive(packet);
            return Arrays.copyOf(packet.getData(), packet.getLength());
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends {@code payload} and returns the first reply that ends with it (a plain or tagged echo), resending up to
     * {@code attempts} times in all when no such reply arrives within {@code perAttempt}. Replies that do not match
     * (late answers to an earlier request) are skipped and counted as stray. Returns null when every attempt failed.
     */
    public byte[] request(byte[] payload, Duration perAttempt, int attempts) {
        for (int attempt = 0; attempt < attempts; attempt++) {
            if (attempt > 0) {
                retransmits++;
            }
            send(payload);
            long deadline = System.nanoTime() + perAttempt.toNanos();
            for (;;) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                byte[] reply = receive(Duration.ofNanos(left));
                if (reply == null) {
                    break;
                }
                if (endsWith(reply, payload)) {
                    return reply;
                }
                strayReplies++;
            }
        }
        return null;
    }

    /** Datagrams sent again by {@link #request} because no reply came in time. */
    public long retransmits() {
        return retransmits;
    }

    /** Replies {@link #request} skipped because they did not answer the current request. */
    public long strayReplies() {
        return strayReplies;
    }

    private static boolean endsWith(byte[] reply, byte[] payload) {
        int offset = reply.length - payload.length;
        return offset >= 0 && Arrays.equals(reply, offset, reply.length, payload, 0, payload.length);
    }

    @Override
    public void close() {
        socket.close();
    }
}
