package io.junction.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP echo backend on 127.0.0.1 for tests, on a plain JDK socket so it shares no code with the proxy under test.
 * In tagged mode each reply is the server's 4-byte id (big-endian) followed by the request; otherwise the reply is the
 * request, byte for byte. It counts what it receives and can be stopped, which closes its port so the kernel answers
 * further datagrams with ICMP port unreachable.
 *
 * <p>Thread-safe: one daemon thread serves the socket; counters may be read from any thread.
 */
public final class UdpEchoServer implements AutoCloseable {
    public static final int TAG_BYTES = 4;
    private static final int MAX_DATAGRAM = 65_535;

    private final int id;
    private final boolean tagged;
    private final DatagramSocket socket;
    private final InetSocketAddress address;
    private final Thread thread;
    private final AtomicLong datagrams = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private volatile boolean stopped;

    private UdpEchoServer(int id, boolean tagged) {
        this.id = id;
        this.tagged = tagged;
        try {
            socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            socket.setReceiveBufferSize(1 << 20);
            socket.setSendBufferSize(1 << 20);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        address = (InetSocketAddress) socket.getLocalSocketAddress();
        thread = new Thread(this::serve, "udp-echo-" + id + "-" + address.getPort());
        thread.setDaemon(true);
        thread.start();
    }

    /** An echo server whose replies carry {@code id} in front of the request. */
    public static UdpEchoServer tagged(int id) {
        return new UdpEchoServer(id, true);
    }

    /** An echo server whose replies are exactly the requests. */
    public static UdpEchoServer plain() {
        return new UdpEchoServer(0, false);
    }

    public int id() {
        return id;
    }

    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    /** Datagrams received so far. */
    public long datagrams() {
        return datagrams.get();
    }

    /** Payload bytes received so far. */
    public long bytes() {
        return bytes.get();
    }

    public boolean isStopped() {
        return stopped;
    }

    /** The id carried by a tagged reply. */
    public static int tagOf(byte[] reply) {
        if (reply.length < TAG_BYTES) {
            throw new IllegalArgumentException("reply: " + reply.length + " bytes (expected: >= " + TAG_BYTES + ")");
        }
        return ByteBuffer.wrap(reply, 0, TAG_BYTES).getInt();
    }

    /** The request echoed in a tagged reply. */
    public static byte[] payloadOf(byte[] reply) {
        return Arrays.copyOfRange(reply, TAG_BYTES, reply.length);
    }

    private void serve() {
        byte[] in = new byte[MAX_DATAGRAM];
        byte[] out = new byte[MAX_DATAGRAM + TAG_BYTES];
        DatagramPacket request = new DatagramPacket(in, in.length);
        while (!stopped) {
            try {
                request.setData(in);
                socket.receive(request);
                int n = request.getLength();
                datagrams.incrementAndGet();
                bytes.addAndGet(n);
                DatagramPacket reply;
                if (tagged) {
                    ByteBuffer.wrap(out).putInt(id);
                    System.arraycopy(in, 0, out, TAG_BYTES, n);
                    reply = new DatagramPacket(out, n + TAG_BYTES, request.getSocketAddress());
                } else {
                    reply = new DatagramPacket(in, n, request.getSocketAddress());
                }
                socket.send(reply);
            } catch (SocketException e) {
                if (stopped || socket.isClosed()) {
                    return;
                }
            } catch (IOException e) {
                // A failed send (for example ICMP from a vanished peer) must not stop the server.
            }
        }
    }

    /** Closes the socket and waits for the serving thread to end. Idempotent. */
    public void stop() {
        stopped = true;
        socket.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
