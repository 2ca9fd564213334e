package io.junction.core.forward.tcp;

import io.junction.core.clock.NanoClock;
import io.junction.core.forward.LiveConnection;
import io.junction.core.forward.Transports;
import io.junction.core.lb.Backend;
import io.junction.core.metrics.FailureReason;
import io.junction.core.metrics.ServiceMetrics;
import io.junction.core.model.ProxyProtocolSend;
import io.junction.core.model.SpliceMode;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One proxied connection: the client channel, the backend channel once connected, and the two {@link Relay}s between
 * them. Owns what concerns the connection as a whole: the client bytes held while connecting ({@link EarlyData}),
 * the idle timer, and the passing of each channel event to the part it concerns. How it ends is its
 * {@link Teardown}'s job; how it ended, and the bookkeeping that must happen exactly once (counters, the backend's
 * connection count, the access log), is its {@link ConnectionOutcome}'s.
 *
 * <p>With {@link SpliceMode#ON} or {@link SpliceMode#AUTO} on the epoll transport a direction can be forwarded with
 * splice(2) ({@link SpliceDirection}). Splice bypasses the pipeline, which changes three things: bytes are counted per
 * completed splice chunk; back-pressure of a spliced direction is Netty's (the source pauses while the pipe's bytes
 * are not all written); and the {@link IdleTimer} learns of spliced activity from the splice wake-ups.
 *
 * <p>Event-loop confined: the backend channel is registered on the client channel's loop, so every method runs on
 * that one thread.
 */
final class TcpConnection extends LiveConnection {
    private static final Logger log = LoggerFactory.getLogger(TcpConnection.class);

    private final Channel client;
    private final ServiceHandle handle;
    private final ServiceMetrics metrics;
    private final TcpSettings tcp;
    private final Teardown teardown;
    /** The splice mode in effect: the service's, or OFF when the transport is not epoll. */
    private final SpliceMode splice;
    /** Null when the idle timeout is off. */
    private final IdleTimer idleTimer;
    private final NanoClock clock;
    private final EarlyData early = new EarlyData();

    private final ClientEndpoints endpoints;

    private Channel backendChannel;
    private Backend backend;
    /** Client to backend, and backend to client; both null until the backend connected. */
    private Relay up;
    private Relay down;

    TcpConnection(Channel client, ServiceHandle handle, TcpSettings tcp, AtomicInteger listenerActive,
                  NanoClock clock) {
        this.client = client;
        this.handle = handle;
        this.metrics = handle.metrics();
        this.tcp = tcp;
        this.clock = clock;
        this.endpoints = new ClientEndpoints(client);
        this.teardown = new Teardown(this, new ConnectionOutcome(handle.key(), metrics, listenerActive));
        this.splice = Transports.epoll() ? tcp.splice() : SpliceMode.OFF;
        this.idleTimer = tcp.idleTimeout().isZero() ? null
                : new IdleTimer(this, client.eventLoop(), tcp.idleTimeout().toNanos(), clock);
        register();
    }

    @Override
    public Channel clientChannel() {
        return client;
    }

    @Override
    public Channel backendChannel() {
        return backendChannel;
    }

    ServiceHandle handle() {
        return handle;
    }

    /** Who the client is and what it connected to (a PROXY protocol header may have named them). */
    ClientEndpoints endpoints() {
        return endpoints;
    }

    @Override
    public String describe() {
        return "service=" + handle.key() + " closing=" + teardown.isClosing() + " client=[" + Legs.describe(client)
                + "] backend=[" + (backendChannel == null ? "connecting" : Legs.describe(backendChannel)) + "] "
                + (up == null ? "early=" + early.heldMemory() : up.describe() + "; " + down.describe());
    }

    TcpSettings tcp() {
        return tcp;
    }

    SpliceMode spliceMode() {
        return splice;
    }

    @Override
    protected Backend backend() {
        return backend;
    }

    /** Whether {@code ch} is this connection's connected backend channel. */
    boolean isBackend(Channel ch) {
        return ch == backendChannel;
    }

    NanoClock clock() {
        return clock;
    }

    /** How this connection ends. */
    Teardown teardown() {
        return teardown;
    }

    boolean isClosing() {
        return teardown.isClosing();
    }

    /** Client to backend; null until the backend connected. */
    Relay up() {
        return up;
    }

    /** Backend to client; null until the backend connected. */
    Relay down() {
        return down;
    }

    /** The direction opposite {@code relay}. */
    Relay other(Relay relay) {
        return relay == up ? down : up;
    }

    /** Bytes from the client, held early ones included. */
    long bytesIn() {
        return up == null ? early.bytes() : up.bytes();
    }

    /** Bytes to the client. */
    long bytesOut() {
        return down == null ? 0 : down.bytes();
    }

    // ---- connect outcome (ConnectAttempt) ----

    void backendConnected(Channel ch, Backend b) {
        if (teardown.isClosing() || !client.isActive()) {
            ch.close();
            return;
        }
        backendChannel = ch;
        backend = b;
        b.onConnectionOpened();
        b.addBytesToBackend(early.bytes());
        up = new Relay(this, client, ch, true, b, early.bytes(), early.eof());
        down = new Relay(this, ch, client, false, b, 0, false);
        if (tcp.proxyProtocol() != ProxyProtocolSend.OFF) {
            // Before any client byte; flushed with them, or alone when the backend is to speak first.
            ProxyHeaders.write(ch, tcp.proxyProtocol(), endpoints.source(), endpoints.destination());
        }
        ByteBuf held = early.take();
        if (held != null) {
            ch.writeAndFlush(held, ch.voidPromise());
        } else if (tcp.proxyProtocol() != ProxyProtocolSend.OFF) {
            ch.flush();
        }
        // From here on both sides read on their own (auto-read); a side is paused only while the other side's
        // outbound buffer is above its high-water mark.
        if (up.eof()) {
            up.finAfterFlush();
        } else {
            client.config().setAutoRead(true);
        }
        ch.config().setAutoRead(true);
        if (splice == SpliceMode.ON) {
            // The early bytes are queued on the backend already: spliced bytes follow them.
            if (!up.eof()) {
                up.startSplice();
            }
            down.startSplice();
        }
    }

    // ---- events of the two channels (TcpFrontendHandler, TcpBackendHandler) ----

    void onClientRead(ByteBuf buf) {
        if (up != null) {
            up.onRead(buf);
            return;
        }
        touch();
        metrics.addBytesToBackend(buf.readableBytes());
        early.onRead(buf, client, tcp.writeBufferHighWaterMark(), teardown.isClosing());
    }

    void onClientReadComplete() {
        if (up != null) {
            up.onReadComplete();
        }
    }

    void onBackendRead(ByteBuf buf) {
        down.onRead(buf);
    }

    void onBackendReadComplete() {
        down.onReadComplete();
    }

    /** The client can take more (or less): resume or pause reading the backend. */
    void onClientWritabilityChanged() {
        if (down != null) {
            down.onTargetWritabilityChanged();
        } else {
            touch();
        }
    }

    /** The backend can take more (or less): resume or pause reading the client. */
    void onBackendWritabilityChanged() {
        up.onTargetWritabilityChanged();
    }

    void onClientInputShutdown() {
        if (up != null) {
            up.onSourceEof();
        } else if (!teardown.isClosing()) {
            early.onEof();
        }
    }

    void onBackendInputShutdown() {
        down.onSourceEof();
    }

    /** Activity for the idle timer: a read, a drained side, a splice wake-up. */
    void touch() {
        if (idleTimer != null) {
            idleTimer.touch();
        }
    }

    /** {@code relay} is about to switch to splice(2); the connection's first such switch is counted. */
    void onSpliceStart(Relay relay) {
        if (!relay.spliced() && !other(relay).spliced()) {
            metrics.onConnectionSpliced();
        }
        if (log.isDebugEnabled()) {
            log.debug("event=splice_start service={} direction={} client={} bytes_in={} bytes_out={}",
                    handle.key(), relay, client, up.bytes(), down.bytes());
        }
    }

    /** Drain: stops reading, flushes what each side has queued, then closes it. */
    @Override
    protected void closeGracefully(FailureReason failure) {
        teardown.closeGracefully(failure);
    }

    /** Removes the ended connection from its loop's set. */
    void unlist() {
        unregister();
    }

    /** Lets go of what the connection held: the idle timer, the client bytes held while connecting. */
    void releaseHeld() {
        if (idleTimer != null) {
            idleTimer.stop();
        }
        early.release();
    }
}
