package io.junction.reliability.traffic;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A loopback backend for bulk streams in both directions at once. A client sends an 8-byte stream id, then its
 * payload, then a FIN; for each connection the backend, concurrently, sends {@code bytesEachWay} bytes seeded with the
 * stream id and FIN, and reads the client's payload to its end. Each side's digest is kept per stream id for the test
 * to compare with the client's. One thread per direction per connection, bounded by the scenario's stream count.
 */
public final class HashingBackend implements AutoCloseable {
    /** What the backend saw and sent on one stream. */
    public record StreamEnd(Payload.Digest received, Payload.Digest sent) {
    }

    private final SocketServer server;
    private final long bytesEachWay;
    private final Map<Long, StreamEnd> ends = new ConcurrentHashMap<>();
    private final Map<Long, String> errors = new ConcurrentHashMap<>();

    /** On an ephemeral loopback port. */
    public HashingBackend(long bytesEachWay) throws IOException {
        this(bytesEachWay, SocketServer.loopback());
    }

    public HashingBackend(long bytesEachWay, InetSocketAddress bind) throws IOException {
        this.bytesEachWay = bytesEachWay;
        this.server = SocketServer.start("hashing-backend", bind, 512, this::serve);
    }

    public int port() {
        return server.port();
    }

    /** The backend's view of each finished stream, by id. */
    public Map<Long, StreamEnd> ends() {
        return Map.copyOf(ends);
    }

    /** Streams that failed on the backend's side, by id, with the error. */
    public Map<Long, String> errors() {
        return Map.copyOf(errors);
    }

    private void serve(Socket s) {
        long id = -1;
        try (s) {
            id = new DataInputStream(s.getInputStream()).readLong();
            long seed = ~id;
            Future<Payload.Digest> sending = server.submit(() -> {
                Payload.Digest d = Payload.write(s.getOutputStream(), bytesEachWay, seed);
                s.shutdownOutput();
                return d;
            });
            Payload.Digest received = Payload.readToEnd(s.getInputStream());
            Payload.Digest sent = sending.get(10, TimeUnit.MINUTES);
            ends.put(id, new StreamEnd(received, sent));
        } catch (Exception e) {
            errors.put(id, e.toString());
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
