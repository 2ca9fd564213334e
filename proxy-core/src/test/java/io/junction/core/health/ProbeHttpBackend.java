package io.junction.core.health;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP backend on 127.0.0.1 or another loopback address (the JDK's server) that answers every path with a status the test can switch, and
 * counts requests per path and answers per status. Thread-safe.
 */
final class ProbeHttpBackend implements AutoCloseable {
    private final HttpServer server;
    private volatile int status = 200;
    private volatile Headers lastHeaders;
    private final Map<String, AtomicInteger> requestsByPath = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> answersByStatus = new ConcurrentHashMap<>();

    ProbeHttpBackend() {
        this(InetAddress.getLoopbackAddress());
    }

    /** On {@code ip}, a loopback address; throws {@link UncheckedIOException} where it cannot be bound. */
    ProbeHttpBackend(InetAddress ip) {
        try {
            server = HttpServer.create(new InetSocketAddress(ip, 0), 100);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            lastHeaders = exchange.getRequestHeaders();
            requestsByPath.computeIfAbsent(exchange.getRequestURI().getPath(), k -> new AtomicInteger())
                    .incrementAndGet();
            int answer = status;
            // Counted before it is sent: a prober that has seen the answer finds it counted.
            answersByStatus.computeIfAbsent(answer, k -> new AtomicInteger()).incrementAndGet();
            exchange.sendResponseHeaders(answer, -1);
        }
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    /** From now on, answer with {@code value}. */
    void answer(int value) {
        status = value;
    }

    int requests() {
        return requestsByPath.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    int requests(String path) {
        AtomicInteger n = requestsByPath.get(path);
        return n == null ? 0 : n.get();
    }

    int answered(int value) {
        AtomicInteger n = answersByStatus.get(value);
        return n == null ? 0 : n.get();
    }

    /** The latest request's headers, or null. */
    Headers lastHeaders() {
        return lastHeaders;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
