package io.junction.reliability.traffic;

import java.io.DataInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback backend that sends as fast as its client's path takes it: a client sends an 8-byte stream id, and the
 * backend writes {@code bytes} seeded with the id ({@link Payload}), then closes. It counts the bytes its writes have
 * handed to the kernel, so a test can see how far back-pressure reached, and keeps the digest of each finished
 * stream. One thread per connection, bounded by the scenario's connection count.
 */
public final class FastSender implements AutoCloseable {
    private static final int SEND_BUFFER = 64 * 1024;
    private final SocketServer server;
    private final long bytes;
    private final AtomicLong sent = new AtomicLong();
    private final Map<Long, Payload.Digest> finished = new ConcurrentHashMap<>();
    private final Map<Long, String> errors = new ConcurrentHashMap<>();

    public FastSender(long bytes) throws IOException {
        this.bytes = bytes;
        this.server = SocketServer.start("fast-sender", SocketServer.loopback(), 1024, this::serve);
    }

    public int port() {
        return server.port();
    }

    /** Bytes written so far, over every connection. */
    public long sent() {
        return sent.get();
    }

    /** The digest of every stream sent to its end, by id. */
    public Map<Long, Payload.Digest> finished() {
        return Map.copyOf(finished);
    }

    /** Streams that failed, by id, with the error. */
    public Map<Long, String> errors() {
        return Map.copyOf(errors);
    }

    private void serve(Socket s) {
        long id = -1;
        try (s) {
            // A small send buffer: the kernel's share of the path stays small, so back-pressure reaches the writer.
            s.setSendBufferSize(SEND_BUFFER);
            id = new DataInputStream(s.getInputStream()).readLong();
            OutputStream counting = new FilterOutputStream(s.getOutputStream()) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    sent.addAndGet(len);
                }
            };
            finished.put(id, Payload.write(counting, bytes, ~id));
        } catch (IOException e) {
            errors.put(id, e.toString());
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
