package io.junction.core.forward.udp;

import io.junction.core.clock.CoarseClock;
import io.junction.core.clock.NanoClock;
import io.junction.core.forward.tcp.AccessLog;
import io.junction.core.lb.Backend;
import io.junction.core.lb.PickContext;
import io.junction.core.metrics.FailureReason;
import io.junction.core.metrics.ServiceMetrics;
import io.junction.core.state.ServiceSnapshot;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One client ({@code ip:port}) of a UDP service: the backend its datagrams go to, the datagram channel connected to
 * that backend (replies read from it are sent back to the client through the listening socket) and the idle timer.
 *
 * <p><b>Re-pinning.</b> Each datagram costs one volatile read of the service's current snapshot and one volatile read
 * of the backend's removed flag. The backend is checked against the eligible list only when the snapshot is a
 * different object from the one last validated against, or when a previous datagram was answered with ICMP port
 * unreachable. A backend that left discovery, became ineligible (unhealthy) or stopped listening is therefore
 * replaced on the session's next datagram, which avoids the stale-conntrack problem kube-proxy had with UDP.
 *
 * <p><b>Idle expiry.</b> One task per session on the event loop's scheduler. It is not moved on every datagram: a
 * datagram only stores a timestamp, and when the task fires it either expires the session or re-arms itself for the
 * time left. A busy session therefore costs one scheduled task per idle-timeout period.
 *
 * <p>Event-loop confined: every method runs on the loop of the listening socket that owns the session.
 */
final class UdpSession implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(UdpSession.class);

    private final UdpSessionTable table;
    private final InetSocketAddress client;
    private final PickContext pickContext;
    private final ServiceMetrics metrics;
    private final NanoClock clock;

    /** The snapshot the current backend was last checked against. */
    private ServiceSnapshot validated;
    private Backend backend;
    private Channel backendChannel;
    /** Set when the backend answered with ICMP port unreachable or its channel closed: pick again. */
    private boolean repick;
    /**
     * Whether the current backend answered since the session bound to it: only its first answer is reported to
     * passive health (as a success), so that per-datagram forwarding does not touch the breaker.
     */
    private boolean answered;
    private long boundNanos;
    private final long startNanos;
    /** Bytes forwarded client to backend and back over the session's life, for its access-log line. */
    private long bytesIn;
    private long bytesOut;
    private long lastActivityNanos;
    private ScheduledFuture<?> idleCheck;
    private boolean closed;
    /** Whether this session is in the table's flush queue (the backend channel has unflushed writes). */
    boolean flushQueued;

    UdpSession(UdpSessionTable table, InetSocketAddress client) {
        this.table = table;
        this.client = client;
        this.metrics = table.metrics();
        this.pickContext = new PickContext(client.getAddress());
        this.clock = table.clock();
        this.lastActivityNanos = clock.nanoTime();
        this.startNanos = lastActivityNanos;
    }

    InetSocketAddress client() {
        return client;
    }

    /** The backend the session is pinned to, or null while the service has none. */
    Backend backend() {
        return backend;
    }

    /** Starts the idle timer. */
    void start() {
        idleCheck = table.loop().schedule(this, table.idleTimeoutNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Makes sure the session has a live backend for the current snapshot, picking (again) when needed. Returns false
     * (and counts why) when no backend could be bound; the caller drops the datagram.
     */
    boolean ensureBackend() {
        ServiceSnapshot current = table.handle().current();
        if (current == validated && !repick && backendChannel != null && !backend.isRemoved()
                && !backend.drainExpired()) {
            return true;
        }
        return revalidate(current);
    }

    private boolean revalidate(ServiceSnapshot current) {
        if (current != validated) {
            // A new snapshot is new information from discovery and health: forget which backends failed before,
            // except the one that just answered port unreachable.
            pickContext.reset(client.getAddress());
            if (repick && backend != null) {
                pickContext.markTried(backend);
            }
            validated = current;
        }
        if (!repick && backendChannel != null && !backend.isRemoved()
                && (current.eligible().contains(backend) || backend.lingers())) {
            // A session on a terminating endpoint finishes there, until the service's drain deadline.
            return true;
        }
        Backend next = current.picker().pick(pickContext);
        repick = false;
        if (next == null) {
            unbind();
            metrics.onFailure(current.eligible().isEmpty()
                    ? FailureReason.NO_HEALTHY_ENDPOINT : FailureReason.ENDPOINTS_BUSY);
            return false;
        }
        if (next == backend && backendChannel != null && backendChannel.isOpen()) {
            return true;
        }
        return bind(next);
    }

    private boolean bind(Backend next) {
        Backend previous = backend;
        unbind();
        Channel channel = table.openBackendChannel(this, next);
        if (channel == null) {
            return false;
        }
        backend = next;
        backendChannel = channel;
        answered = false;
        boundNanos = clock.nanoTime();
        next.onConnectionOpened();
        if (log.isDebugEnabled()) {
            log.debug("udp session bound service={} client={} backend={} previous={}",
                    table.handle().key(), client, next, previous);
        }
        return true;
    }

    /** Releases the current backend and closes its channel, flushing what was already written to it. */
    private void unbind() {
        Channel channel = backendChannel;
        if (channel != null) {
            backendChannel = null;
            channel.flush();
            channel.close();
        }
        if (backend != null) {
            backend.onConnectionClosed();
            backend = null;
        }
    }

    /** Forwards one client datagram; takes ownership of {@code content}. */
    void onClientDatagram(ByteBuf content) {
        lastActivityNanos = clock.nanoTime();
        if (!ensureBackend()) {
            content.release();
            return;
        }
        Channel channel = backendChannel;
        if (!channel.isWritable()) {
            // UDP has no backpressure: drop like the kernel would instead of queueing without bound.
            content.release();
            metrics.onFailure(FailureReason.SEND_QUEUE_FULL);
            return;
        }
        int bytes = content.readableBytes();
        channel.write(content, channel.voidPromise());
        table.queueFlush(this);
        metrics.onDatagramToBackend(bytes);
        backend.addBytesToBackend(bytes);
        bytesIn += bytes;
    }

    /** Flushes the datagrams written to the backend channel during the current read batch. */
    void flushBackend() {
        Channel channel = backendChannel;
        if (channel != null) {
            channel.flush();
        }
    }

    /** A datagram read from {@code from}; sends it to the client unless {@code from} is no longer this session's. */
    void onBackendDatagram(Channel from, DatagramPacket packet) {
        ByteBuf content = packet.content();
        int bytes = content.readableBytes();
        if (from != backendChannel) {
            packet.release();
            return;
        }
        if (UdpReceiveSizing.oversize(bytes, table.maxDatagramSize())) {
            packet.release();
            metrics.onFailure(FailureReason.OVERSIZE_DATAGRAM);
            return;
        }
        Channel front = table.channel();
        if (!front.isWritable()) {
            packet.release();
            metrics.onFailure(FailureReason.SEND_QUEUE_FULL);
            return;
        }
        lastActivityNanos = clock.nanoTime();
        if (!answered) {
            answered = true;
            backend.onConnectSuccess(lastActivityNanos - boundNanos);
        }
        front.write(new DatagramPacket(content, client), front.voidPromise());
        metrics.onDatagramToClient(bytes);
        backend.addBytesFromBackend(bytes);
        bytesOut += bytes;
    }

    /** Flushes the replies written to the listening socket during a read batch of the backend channel. */
    void flushClient() {
        table.channel().flush();
    }

    /** ICMP port unreachable on {@code from}: the next datagram picks again, avoiding this backend. */
    void onBackendUnreachable(Channel from) {
        if (from != backendChannel || repick) {
            return;
        }
        repick = true;
        pickContext.markTried(backend);
        backend.onConnectFailure();
        metrics.onFailure(FailureReason.BACKEND_UNREACHABLE);
        if (log.isDebugEnabled()) {
            log.debug("udp backend unreachable service={} client={} backend={}", table.handle().key(), client, backend);
        }
    }

    /** The backend channel {@code from} closed on its own (an error): bind a new one on the next datagram. */
    void onBackendClosed(Channel from) {
        if (from == backendChannel) {
            backendChannel = null;
            repick = true;
        }
    }

    /** The idle check. */
    @Override
    public void run() {
        if (closed) {
            return;
        }
        long idle = clock.nanoTime() - lastActivityNanos;
        long timeout = table.idleTimeoutNanos();
        if (idle >= timeout) {
            table.expire(this);
        } else {
            // The coarse clock may lag the scheduler by one tick; never re-arm for less than a tick.
            long left = Math.max(timeout - idle, TimeUnit.MILLISECONDS.toNanos(CoarseClock.TICK_MILLIS));
            idleCheck = table.loop().schedule(this, left, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Ends the session: stops the timer, writes its access-log line ({@code result}: {@code expired} or
     * {@code closed}) and closes the backend channel. Idempotent.
     */
    void close(String result) {
        if (closed) {
            return;
        }
        closed = true;
        AccessLog.sessionEnded(table.loop(), table.handle().key(), client, backend, bytesIn, bytesOut,
                clock.nanoTime() - startNanos, result);
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
        unbind();
    }
}
