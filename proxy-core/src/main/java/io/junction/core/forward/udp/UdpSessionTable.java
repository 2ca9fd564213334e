package io.junction.core.forward.udp;

import io.junction.core.clock.NanoClock;
import io.junction.core.forward.Transports;
import io.junction.core.lb.Backend;
import io.junction.core.metrics.FailureReason;
import io.junction.core.metrics.ServiceMetrics;
import io.junction.core.state.ServiceHandle;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.uring.IoUringDatagramChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sessions of one listening socket, keyed by client {@code ip:port}. A plain {@link HashMap}: the socket, its
 * sessions and their backend channels all live on one event loop, so a datagram costs one hash lookup and no lock.
 * The per-service session cap is shared by the tables of all sockets of the service through one atomic counter,
 * touched only when a session starts or ends.
 *
 * <p>Writes to backend channels made while handling one read batch of the listening socket are flushed together when
 * the batch ends (see {@link #queueFlush}), so a burst costs one flush per backend channel rather than one per datagram.
 *
 * <p>Event-loop confined to {@link #loop()}.
 */
final class UdpSessionTable {
    private static final Logger log = LoggerFactory.getLogger(UdpSessionTable.class);
    private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final DatagramChannel channel;
    private final ServiceHandle handle;
    private final ServiceMetrics metrics;
    private final AtomicInteger serviceSessions;
    private final int maxSessions;
    private final int maxDatagramSize;
    private final long idleTimeoutNanos;
    private final ChannelFactory<? extends DatagramChannel> backendChannels;
    private final NanoClock clock;

    private final HashMap<InetSocketAddress, UdpSession> sessions = new HashMap<>();
    private final ArrayList<UdpSession> flushQueue = new ArrayList<>();
    private boolean closed;
    private long lastWarnNanos = System.nanoTime() - WARN_INTERVAL_NANOS;

    /**
     * @param channel         the listening socket whose loop owns this table; replies are sent through it
     * @param handle          the service
     * @param serviceSessions sessions of the service across all its sockets (the cap is checked against it)
     * @param backendChannels creates the channels connected to backends (same transport as {@code channel})
     * @param clock           what sessions measure their idle time with
     */
    UdpSessionTable(DatagramChannel channel, ServiceHandle handle, AtomicInteger serviceSessions,
                    ChannelFactory<? extends DatagramChannel> backendChannels, NanoClock clock) {
        this.channel = channel;
        this.handle = handle;
        this.metrics = handle.metrics();
        this.serviceSessions = serviceSessions;
        var udp = handle.current().spec().udp();
        this.maxSessions = udp.maxSessions();
        this.maxDatagramSize = udp.maxDatagramSize();
        this.idleTimeoutNanos = udp.sessionIdleTimeout().toNanos();
        this.backendChannels = backendChannels;
        this.clock = clock;
    }

    DatagramChannel channel() {
        return channel;
    }

    EventLoop loop() {
        return channel.eventLoop();
    }

    ServiceHandle handle() {
        return handle;
    }

    ServiceMetrics metrics() {
        return metrics;
    }

    int maxDatagramSize() {
        return maxDatagramSize;
    }

    long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    NanoClock clock() {
        return clock;
    }

    /** Sessions of this socket only. */
    int size() {
        return sessions.size();
    }

    /** One datagram from {@code client}; takes ownership of {@code content}. */
    void onClientDatagram(InetSocketAddress client, ByteBuf content) {
        UdpSession session = sessions.get(client);
        if (session == null) {
            session = open(client);
            if (session == null) {
                content.release();
                return;
            }
        }
        session.onClientDatagram(content);
    }

    /**
     * A new session with a bound backend, or null (counted) when the table is closed or full, or no backend can
     * take it. A client refused for lack of a backend gets no session, so a flood during an outage fills nothing.
     */
    private UdpSession open(InetSocketAddress client) {
        if (closed) {
            return null;
        }
        if (!reserve()) {
            metrics.onFailure(FailureReason.SESSION_LIMIT);
            return null;
        }
        UdpSession session = new UdpSession(this, client);
        if (!session.ensureBackend()) {
            serviceSessions.decrementAndGet();
            return null;
        }
        sessions.put(client, session);
        metrics.onSessionCreated();
        session.start();
        if (log.isDebugEnabled()) {
            log.debug("udp session created service={} client={} backend={}", handle.key(), client, session.backend());
        }
        return session;
    }

    /** Takes one slot of the service-wide cap; never lets the count pass it, even with racing sockets. */
    private boolean reserve() {
        for (;;) {
            int n = serviceSessions.get();
            if (n >= maxSessions) {
                return false;
            }
            if (serviceSessions.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /**
     * Opens a datagram channel on this loop connected to {@code backend}, or returns null (counted) when the socket
     * cannot be created or connected. Registration and connect of a datagram socket complete synchronously when
     * called on the channel's own loop (on io_uring the socket is connected before it becomes a channel), so the
     * channel can be written at once.
     */
    Channel openBackendChannel(UdpSession session, Backend backend) {
        DatagramChannel ch;
        try {
            ch = Transports.ioUring() ? connectedIoUringChannel(backend) : backendChannels.newChannel();
        } catch (IOException | RuntimeException e) {
            onBackendOpenFailure(backend, e);
            return null;
        }
        UdpReceiveSizing.apply(ch.config(), maxDatagramSize);
        ch.pipeline().addLast(new UdpBackendHandler(session));
        ChannelFuture registered = loop().register(ch);
        ChannelFuture connected = !registered.isSuccess() || Transports.ioUring()
                ? registered : ch.connect(backend.address());
        if (!connected.isDone() || !connected.isSuccess()) {
            ch.close();
            onBackendOpenFailure(backend, connected.isDone() ? connected.cause() : null);
            return null;
        }
        return ch;
    }

    /**
     * io_uring submits a channel's connect to the ring, so it completes after this loop turn; a datagram socket's
     * connect(2) completes at once, so the socket is connected first and then wrapped.
     */
    private static DatagramChannel connectedIoUringChannel(Backend backend) throws IOException {
        Socket socket = Socket.newSocketDgram();
        try {
            socket.connect(backend.address());
            return new IoUringDatagramChannel(socket.intValue());
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void onBackendOpenFailure(Backend backend, Throwable cause) {
        backend.onConnectFailure();
        metrics.onFailure(FailureReason.CONNECT_FAILED);
        if (warnAllowed()) {
            log.warn("udp backend socket failed service={} backend={} cause=\"{}\"", handle.key(), backend,
                    cause == null ? "connect did not complete on the event loop" : cause.toString());
        }
    }

    /** Marks {@code session}'s backend channel for a flush at the end of the current read batch. */
    void queueFlush(UdpSession session) {
        if (!session.flushQueued) {
            session.flushQueued = true;
            flushQueue.add(session);
        }
    }

    /** Flushes every backend channel written during the read batch that just ended. */
    void flushQueued() {
        for (int i = 0, n = flushQueue.size(); i < n; i++) {
            UdpSession session = flushQueue.get(i);
            session.flushQueued = false;
            session.flushBackend();
        }
        flushQueue.clear();
    }

    /** The session's idle timer fired with no traffic for the idle timeout. */
    void expire(UdpSession session) {
        if (sessions.remove(session.client()) == session) {
            session.close("expired");
            serviceSessions.decrementAndGet();
            metrics.onSessionExpired();
            if (log.isDebugEnabled()) {
                log.debug("udp session expired service={} client={}", handle.key(), session.client());
            }
        }
    }

    /** Closes every session (counted as closed, not expired) and refuses new ones. Idempotent. */
    void closeAll() {
        closed = true;
        flushQueued();
        for (UdpSession session : sessions.values()) {
            session.close("closed");
            serviceSessions.decrementAndGet();
            metrics.onSessionClosed();
        }
        sessions.clear();
    }

    /** At most one warning per interval per socket, so a failing path cannot flood the log. */
    boolean warnAllowed() {
        long now = System.nanoTime();
        if (now - lastWarnNanos >= WARN_INTERVAL_NANOS) {
            lastWarnNanos = now;
            return true;
        }
        return false;
    }
}
