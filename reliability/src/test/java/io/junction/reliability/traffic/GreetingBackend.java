package io.junction.reliability.traffic;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * An in-process backend on a loopback port that greets each connection with its id (one byte), echoes until the
 * client's FIN, and remembers when it accepted each connection (nanoTime), so a scenario can tell when connections
 * stopped reaching it. One thread per connection; connections in the scenarios that use it are short.
 */
public final class GreetingBackend implements AutoCloseable {
    private final int id;
    private final ServerSocket server;
    private final ConcurrentLinkedQueue<Long> accepts = new ConcurrentLinkedQueue<>();

    public GreetingBackend(int id) throws IOException {
        this(id, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    /** On {@code bind} (e.g. 127.0.0.2 and the port of another backend, so that one slice port names both). */
    public GreetingBackend(int id, InetSocketAddress bind) throws IOException {
        this.id = id;
        this.server = new ServerSocket();
        server.bind(bind, 1024);
        Thread t = new Thread(this::acceptLoop, "greeting-" + id);
        t.setDaemon(true);
        t.start();
    }

    public int id() {
        return id;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** When each connection was accepted (System.nanoTime), in order. */
    public List<Long> accepts() {
        return List.copyOf(accepts);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepts.add(System.nanoTime());
                Thread t = new Thread(() -> serve(s), "greeting-" + id + "-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            OutputStream out = s.getOutputStream();
            out.write(id);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
