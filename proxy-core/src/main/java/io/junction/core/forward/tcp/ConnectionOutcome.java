package io.junction.core.forward.tcp;

import io.junction.core.lb.Backend;
import io.junction.core.metrics.FailureReason;
import io.junction.core.metrics.ServiceMetrics;
import io.junction.core.model.ServiceKey;
import io.netty.channel.Channel;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How one proxied connection ended ({@code result} and {@code reason}, as the access log and the failure counters
 * show them), and the bookkeeping that must happen exactly once when it does: the listener's and the service's live
 * counts, the backend's connection count, the access-log line.
 *
 * <p>Event-loop confined, like its connection.
 */
final class ConnectionOutcome {
    private final ServiceKey service;
    private final ServiceMetrics metrics;
    private final AtomicInteger listenerActive;
    private final long startNanos = System.nanoTime();
    private String result = "ok";
    private FailureReason reason;
    private boolean recorded;

    /** Counts the accepted connection. */
    ConnectionOutcome(ServiceKey service, ServiceMetrics metrics, AtomicInteger listenerActive) {
        this.service = service;
        this.metrics = metrics;
        this.listenerActive = listenerActive;
        metrics.onConnectionAccepted();
    }

    /** The proxy ended it for {@code failure} (counted now). */
    void failed(FailureReason failure) {
        metrics.onFailure(failure);
        reason = failure;
        result = "failed";
    }

    /** A peer reset it, or an error did: an I/O error is a reset, anything else an error. */
    void broken(Throwable cause) {
        result = cause instanceof IOException ? "reset" : "error";
    }

    /** A peer closed without the proxy's FIN exchange: abortive. */
    void reset() {
        result = "reset";
    }

    /** A drain closed it; {@code failure}, when not null, is counted and logged as the reason. */
    void drained(FailureReason failure) {
        result = "drained";
        if (failure != null) {
            metrics.onFailure(failure);
            reason = failure;
        }
    }

    /**
     * Once, when the client leg has closed: releases the counts and writes the access-log line, whose client is
     * {@code clientAddress} (the peer's, or the one its PROXY protocol header named). Returns false if it already ran.
     */
    boolean record(Channel client, SocketAddress clientAddress, Backend backend, long bytesIn, long bytesOut) {
        if (recorded) {
            return false;
        }
        recorded = true;
        listenerActive.decrementAndGet();
        metrics.onConnectionClosed();
        if (backend != null) {
            backend.onConnectionClosed();
        }
        AccessLog.finished(client.eventLoop(), service, clientAddress, backend, bytesIn, bytesOut,
                System.nanoTime() - startNanos, result, reason);
        return true;
    }
}
