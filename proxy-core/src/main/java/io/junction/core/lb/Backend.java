package io.junction.core.lb;

import io.junction.core.clock.NanoClock;
import io.junction.core.model.Endpoint;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live side of one endpoint of one service: its current {@link Endpoint} attributes, its load (live connections
 * plus connects in progress, read by least-connections and peak-ewma), its health as the pickers see it (admission:
 * connection cap and passive health's test permits; slow start) and its connect latency (peak EWMA), plus traffic
 * counters. One instance per (service, endpoint address) survives snapshot rebuilds for as long as the address stays
 * in discovery, so counters and picker inputs are not reset by unrelated changes. The connections themselves are kept
 * by the event loop that owns them, not here, so accepting a connection touches no structure shared by every loop
 * beyond these counters.
 *
 * <p>Time (slow start, latency decay) comes from an injected {@link NanoClock}, by default {@link NanoClock#COARSE}:
 * one volatile read, where {@link System#nanoTime()} can cost a whole pick on a virtual machine; both uses run over
 * seconds, so 10 ms resolution loses nothing.
 *
 * <p>Thread-safe: counters are atomics written by event loops; {@link #update}, {@link #markRemoved},
 * {@link #outcomes(OutcomeRecorder)}, {@link #maxConnections(int)} and {@link #beginSlowStart} are called by the
 * control thread only.
 */
public final class Backend {
    /**
     * Share of its full share of new connections a backend takes when slow start begins; it grows linearly to 1 over
     * the window (Envoy's default minimum weight percent: starting from nothing would leave it idle for a while).
     */
    static final double SLOW_START_MIN_SHARE = 0.1;
    private static final VarHandle SLOW_START;
    private static final VarHandle ACTIVE;
    private static final VarHandle PENDING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SLOW_START = lookup.findVarHandle(Backend.class, "slowStart", SlowStart.class);
            ACTIVE = lookup.findVarHandle(Backend.class, "activeConnections", int.class);
            PENDING = lookup.findVarHandle(Backend.class, "pendingConnects", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final InetSocketAddress address;
    private final NanoClock clock;
    private volatile Endpoint endpoint;
    private volatile boolean removed;
    private volatile boolean drainExpired;

    private volatile OutcomeRecorder outcomes = OutcomeRecorder.NONE;
    /** 0 for no cap; set by the control thread from the service's spec. */
    private volatile int maxConnections;
    /** The ramp in progress, or null: outside slow start a picker pays this one volatile read. */
    private volatile SlowStart slowStart;
    /** {@link PeakEwma} state of connect latency: written by the loop whose connect completed, read by picks. */
    private volatile long connectLatency = PeakEwma.UNKNOWN;

    /**
     * Live connections, and connects started but not yet completed or failed (load that least-connections must
     * see). Plain fields updated through VarHandles rather than AtomicIntegers, so a pick reads them from the
     * backend's own cache lines instead of two more objects: at 1,024 endpoints the misses were most of a P2C pick.
     */
    private volatile int activeConnections;
    private volatile int pendingConnects;
    private final LongAdder totalConnections = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder bytesToBackend = new LongAdder();
    private final LongAdder bytesFromBackend = new LongAdder();

    /** A backend on the {@linkplain NanoClock#COARSE coarse clock}. */
    public Backend(Endpoint endpoint) {
        this(endpoint, NanoClock.COARSE);
    }

    /** A backend whose slow start and latency decay read {@code clock} (a manual one in tests). */
    public Backend(Endpoint endpoint, NanoClock clock) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.address = endpoint.address();
        this.clock = Objects.requireNonNull(clock, "clock");
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
     * Control thread: the drain deadline of this backend passed (it left discovery, or turned terminating, and the
     * service's {@code drainTimeout} ran out): sessions still lingering on it move elsewhere.
     */
    public void markDrainExpired() {
        drainExpired = true;
    }

    public boolean drainExpired() {
        return drainExpired;
    }

    /**
     * Whether an existing UDP session may stay on this backend although it is no longer eligible: it is terminating
     * and its drain deadline has not passed (Kubernetes lets a terminating pod finish what it serves).
     */
    public boolean lingers() {
        return endpoint.terminating() && !drainExpired;
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
     * (or to {@code outcomes().releaseAdmission()}), so pickers ask only the backend they are about to return. Two
     * volatile reads and a call that returns true when there is no cap and no passive health.
     */
    public boolean admits() {
        int cap = maxConnections;
        if (cap > 0 && activeConnections + pendingConnects >= cap) {
            return false;
        }
        return outcomes.tryAdmit();
    }

    /**
     * Control thread: the backend just became eligible again (or joined a serving service); from now on its share of
     * new connections ramps linearly from {@value #SLOW_START_MIN_SHARE} of its full share to all of it over
     * {@code windowNanos} (HAProxy's {@code slowstart}). A window of 0 or less ends any ramp at once. Call it before
     * publishing the picker that includes the backend, so its first picks already see the ramp.
     *
     * <p>Every picker applies the ramp to a new connection's first choice, as a random skip to its next candidate
     * with probability {@code 1 - share}; affinity wins over it (a client-ip or maglev client whose backend is
     * ramping keeps it), and so do retries and overflow from a full backend, which must find a backend.
     */
    public void beginSlowStart(long windowNanos) {
        slowStart = windowNanos > 0 ? new SlowStart(clock.nanoTime(), windowNanos) : null;
    }

    /** The fraction of its full share of new connections this backend takes now: 1 outside slow start. */
    public double slowStartShare() {
        SlowStart ramp = slowStart;
        return ramp == null ? 1.0 : ramp.share(clock.nanoTime());
    }

    /**
     * Picker: whether this backend takes a new connection it was chosen for, as far as slow start is concerned:
     * always outside a ramp (one volatile read; a ramp that has run its course is cleared by the first reader), with
     * probability {@link #slowStartShare()} inside one.
     */
    boolean passesSlowStart() {
        SlowStart ramp = slowStart;
        if (ramp == null) {
            return true;
        }
        double share = ramp.share(clock.nanoTime());
        if (share >= 1.0) {
            // Only this ramp: the control thread may have begun a new one meanwhile.
            SLOW_START.compareAndSet(this, ramp, null);
            return true;
        }
        return ThreadLocalRandom.current().nextDouble() < share;
    }

    /** Whether a slow-start ramp is set (it is cleared lazily, by the first pick after it ends). */
    boolean slowStartPending() {
        return slowStart != null;
    }

    /** Event loop: a TCP connect to this backend started. Followed by exactly one {@link #onConnectFinished}. */
    public void onConnectStarted() {
        PENDING.getAndAdd(this, 1);
    }

    /** Event loop: the connect started by {@link #onConnectStarted} completed or failed. */
    public void onConnectFinished() {
        PENDING.getAndAdd(this, -1);
    }

    public int pendingConnects() {
        return pendingConnects;
    }

    /** Live connections plus connects in progress: what least-connections compares. */
    public int load() {
        return activeConnections + pendingConnects;
    }

    /**
     * Event loop: a connect completed after {@code connectNanos} (or, for UDP, the backend answered). Feeds passive
     * health and the connect-latency estimate peak-ewma balances on.
     */
    public void onConnectSuccess(long connectNanos) {
        outcomes.onSuccess(connectNanos);
        connectLatency = PeakEwma.observe(connectLatency, connectNanos, clock.nanoTime());
    }

    /**
     * Peak-ewma's cost of sending this backend one more connection: connect latency (peak EWMA) times
     * {@code load() + 1}; see {@link PeakEwma}.
     */
    double peakEwmaCost() {
        int pending = pendingConnects;
        return PeakEwma.cost(connectLatency, clock.nanoTime(), activeConnections + pending, pending);
    }

    /** The connect-latency estimate now, in nanoseconds, or NaN without evidence (no success since a failure). */
    public double connectLatencyNanos() {
        return PeakEwma.estimateNanos(connectLatency, clock.nanoTime());
    }

    /**
     * Event loop: a client connection or UDP session is now bound to this backend (counted for least-connections).
     * Call {@link #onConnectionClosed} exactly once when it ends.
     */
    public void onConnectionOpened() {
        ACTIVE.getAndAdd(this, 1);
        totalConnections.increment();
    }

    public void onConnectionClosed() {
        ACTIVE.getAndAdd(this, -1);
    }

    /** Sets the live-connection count outright: tests and benchmarks give a backend a load this way. */
    public void activeConnections(int value) {
        activeConnections = value;
    }

    public int activeConnections() {
        return activeConnections;
    }

    /**
     * Event loop: an ICMP port unreachable came back (UDP), or a connect failed for which no cost is known. The
     * latency estimate is dropped, so peak-ewma probes the backend one connection at a time until one succeeds.
     */
    public void onConnectFailure() {
        connectFailures.increment();
        outcomes.onFailure();
        connectLatency = PeakEwma.UNKNOWN;
    }

    /**
     * Event loop: a TCP connect failed; peak-ewma counts it as a connect that took {@code costNanos} (the connect
     * timeout: what a client of a failing endpoint may pay), so a refusing or black-holed endpoint is priced out
     * rather than probed again at once, until the estimate decays.
     */
    public void onConnectFailure(long costNanos) {
        connectFailures.increment();
        outcomes.onFailure();
        connectLatency = PeakEwma.observe(connectLatency, costNanos, clock.nanoTime());
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

    /** One slow-start ramp: set whole by the control thread, so a reader never mixes two ramps. Immutable. */
    private record SlowStart(long beginNanos, long windowNanos) {
        double share(long now) {
            long elapsed = now - beginNanos;
            if (elapsed >= windowNanos) {
                return 1.0;
            }
            return SLOW_START_MIN_SHARE + (1.0 - SLOW_START_MIN_SHARE) * Math.max(0L, elapsed) / windowNanos;
        }
    }
}
