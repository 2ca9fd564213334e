package io.junction.core.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted TCP backend on 127.0.0.1, port 0, with blocking sockets: each accepted socket is handed to the
 * {@link Script} on its own thread. Errors thrown by the script are kept for assertions. Counts accepted sockets.
 *
 * <p>Thread-safe.
 */
public final class TcpBlockingServer implements AutoCloseable {

    /** What the backend does with one accepted connection. The socket is closed afterwards unless already closed. */
    @FunctionalInterface
    public interface Script {
        void run(Socket socket) throws Exception;
    }

    private final ServerSocket server;
    private final Script script;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-tcp-backend");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    public TcpBlockingServer(Script script) throws IOException {
        this.script = script;
        this.server = new ServerSocket(0, 1024, InetAddress.getByName("127.0.0.1"));
        threads.execute(this::acceptLoop);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    public int accepted() {
        return accepted.get();
    }

    /** Exceptions thrown by scripts so far. */
    public List<Throwable> errors() {
        return errors;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                sockets.add(s);
                threads.execute(() -> {
                    try (s) {
                        script.run(s);
                    } catch (Throwable t) {
                        errors.add(t);
                    }
                });
            } catch (IOException e) {
                if (!server.isClosed()) {
                    errors.add(e);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
