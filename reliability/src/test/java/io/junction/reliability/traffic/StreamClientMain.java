package io.junction.reliability.traffic;

import java.io.DataOutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The client side of {@link HashingBackend} streams, in its own JVM for scenarios inside a network namespace: STREAMS
 * streams at once, each sending BYTES then FIN while reading to the end. Prints {@code stream ID SENT_BYTES SENT_SHA
 * RECEIVED_BYTES RECEIVED_SHA} or {@code error ID REASON} per stream, then {@code done}. Usage:
 * {@code StreamClientMain HOST PORT STREAMS BYTES}.
 */
public final class StreamClientMain {
    private StreamClientMain() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int streams = Integer.parseInt(args[2]);
        long bytes = Long.parseLong(args[3]);
        ExecutorService pool = Executors.newFixedThreadPool(streams * 2);
        List<Future<String>> results = new ArrayList<>();
        for (long id = 0; id < streams; id++) {
            long streamId = id;
            results.add(pool.submit(() -> stream(pool, host, port, streamId, bytes)));
        }
        for (Future<String> r : results) {
            System.out.println(r.get(30, TimeUnit.MINUTES));
        }
        System.out.println("done");
        pool.shutdownNow();
    }

    private static String stream(ExecutorService pool, String host, int port, long id, long bytes) {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(120_000);
            Future<Payload.Digest> received = pool.submit(() -> Payload.readToEnd(s.getInputStream()));
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeLong(id);
            Payload.Digest sent = Payload.write(out, bytes, id * 31 + 7);
            s.shutdownOutput();
            Payload.Digest got = received.get(30, TimeUnit.MINUTES);
            return "stream " + id + " " + sent.bytes() + " " + sent.sha256() + " " + got.bytes() + " " + got.sha256();
        } catch (Exception e) {
            return "error " + id + " " + e.toString().replace(' ', '_');
        }
    }
}
