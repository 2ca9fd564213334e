package io.junction.reliability.traffic;

import java.io.DataOutputStream;
import java.io.PushbackInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * One bulk download from a {@link HashingBackend}, in its own JVM for scenarios inside a network namespace: sends the
 * 8-byte stream ID and a FIN (no payload), reads the backend's bytes to their end, and prints
 * {@code received ID BYTES SHA MILLIS FIRST_BYTE_MILLIS} (MILLIS from the first byte to the end of the stream, the
 * transfer itself; FIRST_BYTE_MILLIS from the connect to the first byte), or {@code error ID REASON}.
 * Usage: {@code BulkReadClientMain HOST PORT ID}.
 */
public final class BulkReadClientMain {
    private BulkReadClientMain() {
    }

    public static void main(String[] args) {
        long id = Long.parseLong(args[2]);
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 10_000);
            s.setSoTimeout(120_000);
            new DataOutputStream(s.getOutputStream()).writeLong(id);
            s.shutdownOutput();
            PushbackInputStream in = new PushbackInputStream(s.getInputStream(), 1);
            int first = in.read();
            long firstByte = System.nanoTime();
            if (first >= 0) {
                in.unread(first);
            }
            Payload.Digest got = Payload.readToEnd(in);
            System.out.println("received " + id + " " + got.bytes() + " " + got.sha256() + " "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstByte) + " "
                    + TimeUnit.NANOSECONDS.toMillis(firstByte - start));
        } catch (Exception e) {
            System.out.println("error " + id + " " + e.toString().replace(' ', '_'));
        }
    }
}
