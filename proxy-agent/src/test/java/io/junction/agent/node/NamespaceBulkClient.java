package io.junction.agent.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * A bulk TCP client to start as a process inside a test's network namespace: it sends a seeded pseudo-random stream
 * of the given length to an echo service and reads the echo back at the same time, hashing both with SHA-256.
 * Prints {@code sent <bytes> <sha256>} and {@code received <bytes> <sha256>}; the test compares them. Gives up after
 * 60 s without a byte. Test-only.
 */
public final class NamespaceBulkClient {
    private static final int CHUNK = 64 * 1024;

    private NamespaceBulkClient() {
    }

    /** {@code NamespaceBulkClient <ip> <port> <bytes>}. */
    public static void main(String[] args) throws Exception {
        long total = Long.parseLong(args[2]);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 5000);
            socket.setSoTimeout(60_000);
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            Thread writer = new Thread(() -> send(socket, total, sent), "bulk-writer");
            writer.start();
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            long got = receive(socket.getInputStream(), total, received);
            writer.join(60_000);
            System.out.println("sent " + total + " " + HexFormat.of().formatHex(sent.digest()));
            System.out.println("received " + got + " " + HexFormat.of().formatHex(received.digest()));
        }
    }

    /** Writes {@code total} seeded bytes, then half-closes; the digest is read only after this thread ends. */
    private static void send(Socket socket, long total, MessageDigest digest) {
        SplittableRandom random = new SplittableRandom(42);
        byte[] chunk = new byte[CHUNK];
        try {
            OutputStream out = socket.getOutputStream();
            for (long left = total; left > 0; left -= CHUNK) {
                int n = (int) Math.min(CHUNK, left);
                random.nextBytes(chunk);
                digest.update(chunk, 0, n);
                out.write(chunk, 0, n);
            }
            out.flush();
            socket.shutdownOutput();
        } catch (IOException e) {
            System.out.println("send failed: " + e);
        }
    }

    private static long receive(InputStream in, long total, MessageDigest digest) throws IOException {
        byte[] buf = new byte[CHUNK];
        long got = 0;
        while (got < total) {
            int n = in.read(buf);
            if (n < 0) {
                break;
            }
            digest.update(buf, 0, n);
            got += n;
        }
        return got;
    }
}
