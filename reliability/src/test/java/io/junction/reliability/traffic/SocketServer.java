package io.junction.reliability.traffic;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The accepting half of the scenarios' in-process backends: a server socket that hands each accepted connection to
 * {@code serve} on a daemon thread of its own, until it is closed. What a backend does with a connection stays its
 * own; its thread count is bounded by the scenario's connection count.
 */
final class SocketServer implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService threads;
    private final Consumer<Socket> serve;

    private SocketServer(ServerSocket server, String threadName, Consumer<Socket> serve) {
        this.server = server;
        this.serve = serve;
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        threads.execute(this::acceptLoop);
    }

    /** Binds {@code bind} with {@code backlog} and starts accepting; {@code serve} owns (and closes) each socket. */
    static SocketServer start(String threadName, InetSocketAddress bind, int backlog, Consumer<Socket> serve)
            throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(bind, backlog);
        return new SocketServer(server, threadName, serve);
    }

    /** An ephemeral port on the loopback address. */
    static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Runs {@code task} on one more thread of this server: the other direction of a connection being served. */
    <T> Future<T> submit(Callable<T> task) {
        return threads.submit(task);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                threads.execute(() -> serve.accept(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
