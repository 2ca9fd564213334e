package io.junction.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;

/**
 * Blocking-socket client helpers for loopback tests. Every socket gets a connect timeout and a read timeout, so no
 * test can hang on a read.
 *
 * <p>Stateless and thread-safe.
 */
public final class TcpTestClient {
    /** Default read timeout of sockets from {@link #connect}. */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private TcpTestClient() {
    }

    /** How a connection ended from the reader's point of view. */
    public enum Ending {
        /** Clean FIN: read returned -1. */
        EOF,
        /** The peer reset the connection. */
        RESET,
        /** Nothing happened within the wait. */
        TIMEOUT
    }

    public static Socket connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setSoTimeout((int) READ_TIMEOUT.toMillis());
        s.connect(address, 5_000);
        return s;
    }

    /** Writes {@code payload} and reads the same number of bytes back. */
    public static byte[] echo(Socket socket, byte[] payload) throws IOException {
        socket.getOutputStream().write(payload);
        socket.getOutputStream().flush();
        return readExactly(socket.getInputStream(), payload.length);
    }

    /** Round-trips {@code payload} and fails unless the same bytes come back. */
    public static void assertEcho(Socket socket, byte[] payload) throws IOException {
        byte[] back = echo(socket, payload);
        if (!Arrays.equals(payload, back)) {
            throw new AssertionError("echo mismatch on " + socket);
        }
    }

    public static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new IOException("EOF after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    /**
     * Reads and discards until the connection ends or {@code within} passes; reports how it ended. Restores the
     * socket's read timeout afterwards.
     */
    public static Ending awaitEnd(Socket socket, Duration within) throws IOException {
        int previous = socket.getSoTimeout();
        long deadline = System.nanoTime() + within.toNanos();
        byte[] buf = new byte[8192];
        try {
            while (true) {
                long leftMs = (deadline - System.nanoTime()) / 1_000_000;
                if (leftMs <= 0) {
                    return Ending.TIMEOUT;
                }
                socket.setSoTimeout((int) Math.max(1, leftMs));
                try {
                    if (socket.getInputStream().read(buf) < 0) {
                        return Ending.EOF;
                    }
                } catch (SocketTimeoutException e) {
                    return Ending.TIMEOUT;
                } catch (SocketException e) {
                    if (String.valueOf(e.getMessage()).contains("reset")) {
                        return Ending.RESET;
                    }
                    throw e;
                }
            }
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(previous);
            }
        }
    }
}
