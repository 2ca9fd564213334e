package io.junction.core.forward;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's event-loop groups: one small acceptor group and the worker group that owns every proxied connection
 * (both legs of a connection run on the same worker), and the registry of the workers' live connections.
 * Thread-safe.
 */
public final class EventLoops implements AutoCloseable {
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final int workerThreads;
    private final ConnectionRegistry connections;

    private EventLoops(EventLoopGroup acceptors, EventLoopGroup workers, int workerThreads) {
        this.acceptors = acceptors;
        this.workers = workers;
        this.workerThreads = workerThreads;
        this.connections = new ConnectionRegistry(workers);
    }

    /** @param workerThreads worker threads; 0 means one per available core */
    public static EventLoops create(int workerThreads) {
        return create(workerThreads, 0);
    }

    /**
     * @param workerThreads      worker threads; 0 means one per available core
     * @param yieldIntervalNanos how often at most a busy worker yields its core between turns; 0 means never
     */
    public static EventLoops create(int workerThreads, long yieldIntervalNanos) {
        if (workerThreads < 0) {
            throw new IllegalArgumentException("workerThreads: " + workerThreads + " (expected: >= 0)");
        }
        int n = workerThreads == 0 ? Runtime.getRuntime().availableProcessors() : workerThreads;
        return new EventLoops(Transports.newEventLoopGroup(1, "junction-accept"),
                Transports.newEventLoopGroup(n, "junction-worker", yieldIntervalNanos), n);
    }

    public EventLoopGroup acceptors() {
        return acceptors;
    }

    public EventLoopGroup workers() {
        return workers;
    }

    public int workerThreads() {
        return workerThreads;
    }

    /** Drains and closes the workers' live connections for the control plane. */
    public ConnectionRegistry connections() {
        return connections;
    }

    /**
     * The loops a listener binds one socket on: with epoll or io_uring every worker loop (one {@code SO_REUSEPORT}
     * socket each, so the kernel spreads clients and each socket's connections or sessions stay on its own loop, with
     * no hand-off between threads); otherwise a single worker loop.
     */
    public List<EventLoop> listenerLoops() {
        List<EventLoop> targets = new ArrayList<>();
        if (Transports.isNative()) {
            for (EventExecutor executor : workers) {
                targets.add((EventLoop) executor);
            }
        } else {
            targets.add(workers.next());
        }
        return targets;
    }

    @Override
    public void close() {
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        acceptors.terminationFuture().syncUninterruptibly();
        workers.terminationFuture().syncUninterruptibly();
    }
}
