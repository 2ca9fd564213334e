package io.junction.core.forward.tcp;

import io.junction.core.metrics.FailureReason;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one proxied connection ends: both channels close once both directions are done; a reset or error on one side
 * is passed to the other as a reset (see {@link Legs}); an idle connection closes both; a drain flushes each side
 * before closing it. Whichever way, the bookkeeping that must happen exactly once runs when the client channel is
 * closed, through the {@link ConnectionOutcome}.
 *
 * <p>Event-loop confined, like its {@link TcpConnection}.
 */
final class Teardown {
    private static final Logger log = LoggerFactory.getLogger(Teardown.class);

    private final TcpConnection connection;
    private final Channel client;
    private final ConnectionOutcome outcome;
    private boolean closing;
    /** The backend leg is being closed after a flush; the end of the client leg must not cut it short. */
    private boolean backendClosing;

    Teardown(TcpConnection connection, ConnectionOutcome outcome) {
        this.connection = connection;
        this.client = connection.clientChannel();
        this.outcome = outcome;
    }

    boolean isClosing() {
        return closing;
    }

    /** No backend could be connected: counted as {@code failure}, and the client is closed. */
    void connectFailed(FailureReason failure) {
        outcome.failed(failure);
        closing = true;
        client.close();
    }

    /** A relay passed its source's FIN on: once both have, the connection is over. */
    void onFinSent() {
        if (connection.up().finSent() && connection.down().finSent() && !closing) {
            closeBoth();
        }
    }

    /** Both directions are done. A leg already closed by its peer's FIN is left alone (close() would throw). */
    void closeBoth() {
        closing = true;
        if (client.isOpen()) {
            client.close();
        }
        Channel backend = connection.backendChannel();
        if (backend.isOpen()) {
            backend.close();
        }
    }

    /**
     * A splice failed: reading its source or writing its target (Netty reports both through the same future, and a
     * channel it closed itself shows up as a closed-channel failure). Both sides are reset, so whichever peer is still
     * there sees the failure as a reset, as with the buffer relay.
     */
    void onSpliceFailed(Relay relay, Throwable cause) {
        if (closing) {
            return; // our own close fails the pending splice
        }
        if (log.isDebugEnabled()) {
            log.debug("event=splice_failed service={} direction={} client={} cause=\"{}\"", connection.handle().key(),
                    relay, client, cause);
        }
        outcome.broken(cause);
        closing = true;
        Legs.reset(client);
        Legs.reset(connection.backendChannel());
    }

    /** {@code side} failed: a reset (or any error) is passed on to the other side as a reset. */
    void onFailure(Channel side, Throwable cause) {
        if (closing) {
            if (log.isDebugEnabled()) {
                log.debug("event=exception_after_close service={} channel={} cause=\"{}\"", connection.handle().key(),
                        side, cause);
            }
            return;
        }
        if (log.isDebugEnabled()) {
            log.debug("event=exception service={} side={} channel={}", connection.handle().key(),
                    side == client ? "client" : "backend", side, cause);
        }
        outcome.broken(cause);
        abort(side);
    }

    /**
     * {@code side} closed without the proxy asking. After the proxy's FIN to the backend that is the backend's own FIN
     * (half-closure is off from then on, see {@code Relay.onFinSent}; a reset arrives first as an exception); otherwise it
     * is abortive and the other side is reset.
     */
    void onInactive(Channel side) {
        if (!closing) {
            Channel backend = connection.backendChannel();
            Relay down = connection.down();
            if (side == backend && connection.up().finSent()) {
                down.onSourceEof();
            } else if (side == client && down != null && down.finSent()) {
                // The client's FIN after the proxy's (its half-closure was off, see Relay.onFinSent): the last direction
                // ends. The backend leg closes once what the client sent before its FIN is written.
                closing = true;
                backendClosing = true;
                Legs.closeAfterFlush(backend);
            } else {
                outcome.reset();
                abort(side);
            }
        }
        if (side == client) {
            finish();
        }
    }

    void onIdle() {
        if (closing) {
            return;
        }
        outcome.failed(FailureReason.IDLE_TIMEOUT);
        closing = true;
        client.close();
        Channel backend = connection.backendChannel();
        if (backend != null) {
            backend.close();
        }
    }

    /** Drain: stops reading, flushes what each side has queued, then closes it. */
    void closeGracefully(FailureReason failure) {
        if (closing) {
            return;
        }
        closing = true;
        outcome.drained(failure);
        Legs.closeAfterFlush(client);
        Channel backend = connection.backendChannel();
        if (backend != null) {
            Legs.closeAfterFlush(backend);
        }
    }

    private void abort(Channel failed) {
        closing = true;
        Channel other = failed == client ? connection.backendChannel() : client;
        if (other != null) {
            Legs.reset(other);
        }
        failed.close();
    }

    /** Runs once, when the client channel is closed: counters, backend release, access log. */
    private void finish() {
        Channel backend = connection.backendChannel();
        if (!outcome.record(client, connection.endpoints().source(), connection.backend(), connection.bytesIn(),
                connection.bytesOut())) {
            return;
        }
        closing = true;
        if (backendClosing && backend.isOpen()) {
            // Still writing what the client sent before its FIN: the connection stays listed (drains, shutdown and
            // diagnostics find it) until that leg closes.
            backend.closeFuture().addListener(closed -> connection.unlist());
        } else {
            connection.unlist();
        }
        connection.releaseHeld();
        if (backend != null && backend.isOpen() && !backendClosing) {
            backend.close();
        }
    }
}
