package io.junction.core.lb;

import io.junction.core.model.Endpoint;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live side of one endpoint of one service: its current {@link Endpoint} attributes, live connection count
 * (read by least-connections) and traffic counters. One instance per (service, endpoint address) survives snapshot
 * rebuilds for as long as the address stays in discovery, so counters and picker inputs are not reset by unrelated
 * changes. The connections themselves are kept by the event loop that owns them, not here, so accepting a connection
 * touches no structure shared by every loop beyond these counters.
 *
 * <p>Thread-safe: counters are atomics written by event loops; {@link #update} and {@link #markRemoved} are called by
 * the control thread only.
 */
public final class Backend {
    private final InetSocketAddress address;
    private volatile Endpoint endpoint;
    private volatile boolean removed;

    private final AtomicInteger activeConnections = new AtomicInteger();
    private final LongAdder totalConnections = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder bytesToBackend = new LongAdder();
    private final LongAdder bytesFromBackend = new LongAdder();

    public Backend(Endpoint endpoint) {
        this.endpoint = endpoint;
        this.address = endpoint.address();
    }

    public InetSocketAddress address() {
        return address;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public int weight() {
        return endpoint.weight();
    }

    /** Control thread: takes new attributes (weight, conditions) for the same address. */
    public void update(Endpoint newEndpoint) {
        if (!newEndpoint.address().equals(address)) {
            throw new IllegalArgumentException("endpoint: " + newEndpoint + " (expected address " + address + ")");
        }
        this.endpoint = newEndpoint;
    }

    /** Control thread: the endpoint left discovery; no picker will return it again. */
    public void markRemoved() {
        removed = true;
    }

    public boolean isRemoved() {
        return removed;
    }

    /**
     * Event loop: a client connection or UDP session is now bound to this backend (counted for least-connections).
     * Call {@link #onConnectionClosed} exactly once when it ends.
     */
    public void onConnectionOpened() {
        activeConnections.incrementAndGet();
        totalConnections.increment();
    }

    public void onConnectionClosed() {
        activeConnections.decrementAndGet();
    }

    /** The live-connection counter itself, so tests can set a backend's load directly. */
    public AtomicInteger activeConnectionsCounter() {
        return activeConnections;
    }

    public int activeConnections() {
        return activeConnections.get();
    }

    public void onConnectFailure() {
        connectFailures.increment();
    }

    public void addBytesToBackend(long n) {
        bytesToBackend.add(n);
    }

    public void addBytesFromBackend(long n) {
        bytesFromBackend.add(n);
    }

    public long totalConnections() {
        return totalConnections.sum();
    }

    public long connectFailures() {
        return connectFailures.sum();
    }

    public long bytesToBackend() {
        return bytesToBackend.sum();
    }

    public long bytesFromBackend() {
        return bytesFromBackend.sum();
    }

    @Override
    public String toString() {
        return endpoint.toString();
    }
}
