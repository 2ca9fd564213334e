package io.junction.reliability.traffic;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback backend for half-close and reset trials. The client's first byte picks the trial, then an 8-byte id:
 * <ul>
 *   <li>{@code C} (client half-closes): read to the client's FIN, then send back exactly what came, then FIN;</li>
 *   <li>{@code S} (server half-closes): send {@code length} seeded bytes, FIN, then read the client's bytes to their
 *       end and keep their digest under the id;</li>
 *   <li>{@code R} (server resets): send {@code length} bytes, then close with SO_LINGER 0, an RST;</li>
 *   <li>{@code A} (client aborts): answer one byte, then read until the stream ends and keep how it ended under the
 *       id: {@code reset} or {@code eof}.</li>
 * </ul>
 */
public final class FinRstBackend implements AutoCloseable {
    private final SocketServer server;
    private final long length;
    private final Map<Long, Payload.Digest> received = new ConcurrentHashMap<>();
    private final Map<Long, String> endings = new ConcurrentHashMap<>();

    public FinRstBackend(long length) throws IOException {
        this.length = length;
        this.server = SocketServer.start("fin-rst-backend", SocketServer.loopback(), 512, this::serve);
    }

    public int port() {
        return server.port();
    }

    /** What the backend read after its own FIN in trial {@code S}, by id. */
    public Payload.Digest receivedAfterFin(long id) {
        return received.get(id);
    }

    /** How the stream of trial {@code A} ended on the backend ({@code reset} or {@code eof}), by id. */
    public String ending(long id) {
        return endings.get(id);
    }

    private void serve(Socket s) {
        try (s) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            int trial = in.read();
            long id = in.readLong();
            switch (trial) {
                case 'C' -> {
                    byte[] all = in.readAllBytes();
                    out.write(all);
                    out.flush();
                    s.shutdownOutput();
                }
                case 'S' -> {
                    Payload.write(out, length, id);
                    s.shutdownOutput();
                    received.put(id, Payload.readToEnd(in));
                }
                case 'R' -> {
                    Payload.write(out, length, id);
                    s.setSoLinger(true, 0);
                }
                case 'A' -> {
                    out.write(1);
                    out.flush();
                    endings.put(id, drain(in));
                }
                default -> throw new IOException("unknown trial " + trial);
            }
        } catch (IOException e) {
            // a trial that broke shows on the client's side or as a missing entry
        }
    }

    private static String drain(InputStream in) {
        byte[] buf = new byte[8192];
        try {
            while (in.read(buf) >= 0) {
                // keep reading until the stream ends
            }
            return "eof";
        } catch (IOException e) {
            return "reset";
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
