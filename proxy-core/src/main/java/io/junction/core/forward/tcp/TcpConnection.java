package io.junction.core.forward.tcp;

import io.junction.core.forward.Transports;
import io.junction.core.lb.Backend;
import io.junction.core.metrics.FailureReason;
import io.junction.core.metrics.ServiceMetrics;
import io.junction.core.model.SpliceMode;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One proxied connection: the client channel, the backend channel once connected, and the relay between them. Owns
 * the end-of-connection rules: a FIN is forwarded only after everything read before it is flushed, a reset is
 * forwarded as a reset (SO_LINGER 0), both channels close once both directions are done, and the counters and the
 * access log are updated exactly once.
 *
 * <p>With {@link SpliceMode#ON} or {@link SpliceMode#AUTO} on the epoll transport a direction can be forwarded with
 * splice(2) ({@link SpliceDirection}) instead of buffers; the end-of-connection rules are the same. Splice bypasses
 * the pipeline, which changes three things: bytes are counted per completed splice chunk (see
 * {@link SpliceDirection}); back-pressure of a spliced direction is Netty's (the source pauses while the pipe's bytes
 * are not all written); and the {@link IdleTimer} learns of spliced activity from the splice wake-ups instead of
 * from reads.
 *
 * <p>Event-loop confined: the backend channel is registered on the client channel's loop, so every method runs on
 * that one thread.
 */
final class TcpConnection {
    /** The backend channel of a client channel, for drain and diagnostics. */
    static final AttributeKey<Channel> BACKEND_CHANNEL = AttributeKey.valueOf(TcpConnection.class, "backendChannel");

    private static final Logger log = LoggerFactory.getLogger(TcpConnection.class);
    private static final Logger access = LoggerFactory.getLogger("junction.access");

    private final Channel client;
    private final ServiceHandle handle;
    private final ServiceMetrics metrics;
    private final TcpSettings tcp;
    private final AtomicInteger listenerActive;
    /** The splice mode in effect: the service's, or OFF when the transport is not epoll. */
    private final SpliceMode splice;
    private final long startNanos = System.nanoTime();

    private Channel backendChannel;
    private Backend backend;
    /**
     * Client bytes read while the backend connect is under way, up to the high-water mark (then the client is paused
     * until the connect completes). Reading them at once, as HAProxy does, spares a wait for the client's readiness
     * after the connect: the request usually arrives with the handshake.
     */
    private ByteBuf early;
    /** Capacity of the buffers in {@link #early}: the memory held, which the high-water mark bounds. */
    private int earlyHeldBytes;
    private boolean clientEof;
    private boolean backendEof;
    private boolean toBackendShut;
    private boolean toClientShut;
    private boolean closing;
    private boolean finished;
    private String result = "ok";
    private FailureReason reason;
    private long bytesIn;
    private long bytesOut;
    /** Bytes read in the current read batch of each side, for the AUTO switch rule. */
    private int batchIn;
    private int batchOut;
    private SpliceDirection toBackendSplice;
    private SpliceDirection toClientSplice;
    /** Null when the idle timeout is off. */
    private final IdleTimer idleTimer;

    TcpConnection(Channel client, ServiceHandle handle, TcpSettings tcp, AtomicInteger listenerActive) {
        this.client = client;
        this.handle = handle;
        this.metrics = handle.metrics();
        this.tcp = tcp;
        this.listenerActive = listenerActive;
        this.splice = Transports.epoll() ? tcp.splice() : SpliceMode.OFF;
        this.idleTimer = tcp.idleTimeout().isZero() ? null
                : new IdleTimer(this, client.eventLoop(), tcp.idleTimeout().toNanos());
        metrics.onConnectionAccepted();
    }

    Channel client() {
        return client;
    }

    ServiceHandle handle() {
        return handle;
    }

    TcpSettings tcp() {
        return tcp;
    }

    /** Whether {@code ch} is this connection's connected backend channel. */
    boolean isBackend(Channel ch) {
        return ch == backendChannel;
    }

    boolean isClosing() {
        return closing;
    }

    // ---- connect outcome (ConnectAttempt) ----

    void backendConnected(Channel ch, Backend b) {
        if (closing || !client.isActive()) {
            ch.close();
            return;
        }
        backendChannel = ch;
        backend = b;
        client.attr(BACKEND_CHANNEL).set(ch);
        b.onConnectionOpened(client);
        if (early != null) {
            b.addBytesToBackend(early.readableBytes());
            ch.writeAndFlush(early, ch.voidPromise());
            early = null;
        }
        // From here on both sides read on their own (auto-read); a side is paused only while the other side's
        // outbound buffer is above its high-water mark. Toggling auto-read only under back-pressure, instead of a
        // read() per read, saves two epoll_ctl calls per read on the native transport.
        if (clientEof) {
            shutdownOutputAfterFlush(ch);
        } else {
            client.config().setAutoRead(true);
        }
        ch.config().setAutoRead(true);
        if (splice == SpliceMode.ON) {
            // The early bytes are queued on the backend already: spliced bytes follow them.
            if (!clientEof) {
                startSplice(true);
            }
            startSplice(false);
        }
    }

    void connectFailed(FailureReason failure) {
        metrics.onFailure(failure);
        fail(failure);
        closing = true;
        client.close();
    }

    // ---- relay ----

    void onClientRead(ByteBuf buf) {
        touch();
        int n = buf.readableBytes();
        bytesIn += n;
        batchIn += n;
        metrics.addBytesToBackend(n);
        if (closing) {
            buf.release();
        } else if (backendChannel == null) {
            holdEarly(buf);
            if (earlyHeldBytes >= tcp.writeBufferHighWaterMark()) {
                client.config().setAutoRead(false);
            }
        } else {
            backend.addBytesToBackend(n);
            backendChannel.write(buf, backendChannel.voidPromise());
            if (!backendChannel.isWritable()) {
                // Stops the read loop after this buffer: at most one read beyond the high-water mark is held.
                client.config().setAutoRead(false);
            }
        }
    }

    void onClientReadComplete() {
        if (backendChannel != null) {
            backendChannel.flush();
            if (toBackendSplice != null) {
                onSplicedReadComplete(client, clientEof);
            } else if (splice == SpliceMode.AUTO && isBulk(batchIn, bytesIn) && !clientEof && !closing) {
                startSplice(true);
            }
        }
        batchIn = 0;
    }

    void onBackendRead(ByteBuf buf) {
        touch();
        int n = buf.readableBytes();
        bytesOut += n;
        batchOut += n;
        metrics.addBytesToClient(n);
        backend.addBytesFromBackend(n);
        if (closing) {
            buf.release();
        } else {
            client.write(buf, client.voidPromise());
            if (!client.isWritable()) {
                backendChannel.config().setAutoRead(false);
            }
        }
    }

    void onBackendReadComplete() {
        client.flush();
        if (toClientSplice != null) {
            onSplicedReadComplete(backendChannel, backendEof);
        } else if (splice == SpliceMode.AUTO && isBulk(batchOut, bytesOut) && !backendEof && !closing) {
            startSplice(false);
        }
        batchOut = 0;
    }

    /** The client can take more (or less): resume or pause reading the backend. */
    void onClientWritabilityChanged() {
        touch();
        if (backendChannel != null && !backendEof && !closing) {
            resumeOrPause(backendChannel, client.isWritable(), toClientSplice != null);
        }
    }

    /** The backend can take more (or less): resume or pause reading the client. */
    void onBackendWritabilityChanged() {
        touch();
        if (!clientEof && !closing) {
            resumeOrPause(client, backendChannel.isWritable(), toBackendSplice != null);
        }
    }

    private static void resumeOrPause(Channel source, boolean targetWritable, boolean spliced) {
        if (!spliced) {
            source.config().setAutoRead(targetWritable);
        } else if (targetWritable) {
            // Only buffers queued before the switch to splice (or early bytes) change the target's writability, and
            // the relay may have paused the source for them. Pausing a spliced source is Netty's job: it stops
            // reading while a pipe's bytes are not all written, and resumes by itself.
            source.config().setAutoRead(true);
        }
    }

    // ---- splice ----

    /** The AUTO rule: one read batch of at least 64 KiB, or 1 MiB in total, makes a direction a bulk stream. */
    private static boolean isBulk(int batch, long total) {
        return batch >= SpliceMode.AUTO_BATCH_BYTES || total >= SpliceMode.AUTO_TOTAL_BYTES;
    }

    private void startSplice(boolean toBackend) {
        if (!toBackend) {
            // The spliced tail is read after the backend's FIN, so its EOF must not close it (see onFinSent).
            backendChannel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        }
        SpliceDirection direction = toBackend
                ? new SpliceDirection(this, client, backendChannel, true)
                : new SpliceDirection(this, backendChannel, client, false);
        if (toBackendSplice == null && toClientSplice == null) {
            metrics.onConnectionSpliced();
        }
        if (toBackend) {
            toBackendSplice = direction;
        } else {
            toClientSplice = direction;
        }
        if (log.isDebugEnabled()) {
            log.debug("event=splice_start service={} direction={} client={} bytes_in={} bytes_out={}",
                    handle.key(), direction, client, bytesIn, bytesOut);
        }
        direction.start();
    }

    /** A spliced source woke up: activity for the idle timer; after its EOF it is not to be woken again. */
    private void onSplicedReadComplete(Channel source, boolean eof) {
        touch();
        if (eof) {
            // Netty re-arms reading when a pipe's last bytes are written; at EOF that would wake the loop on every
            // turn (level-triggered) for nothing.
            source.config().setAutoRead(false);
        }
    }

    /** A splice chunk of {@code n} bytes was written; returns whether the next chunk is to be spliced. */
    boolean onSpliced(SpliceDirection direction, int n) {
        touch();
        if (direction.toBackend()) {
            bytesIn += n;
            metrics.addBytesToBackend(n);
            backend.addBytesToBackend(n);
            return !closing && !clientEof;
        }
        bytesOut += n;
        metrics.addBytesToClient(n);
        backend.addBytesFromBackend(n);
        return !closing && !backendEof;
    }

    /**
     * A splice failed: reading its source or writing its target (Netty reports both through the same future, and a
     * channel it closed itself shows up as a closed-channel failure). Both sides are reset, so whichever peer is still
     * there sees the failure as a reset, as with the buffer relay.
     */
    void onSpliceFailed(SpliceDirection direction, Throwable cause) {
        if (closing) {
            return; // our own close fails the pending splice
        }
        if (log.isDebugEnabled()) {
            log.debug("event=splice_failed service={} direction={} client={} cause=\"{}\"", handle.key(), direction,
                    client, cause);
        }
        result = cause instanceof IOException ? "reset" : "error";
        closing = true;
        reset(client);
        reset(backendChannel);
    }

    /** Relays what a spliced source still held at its EOF; false if reading it failed (the connection is reset). */
    private boolean drainSplicedTail(SpliceDirection direction, Channel source) {
        try {
            direction.drainTail();
            return true;
        } catch (IOException | RuntimeException e) {
            onFailure(source, e);
            return false;
        }
    }

    /** Activity for the idle timer: a read, a drained side, a splice wake-up. */
    private void touch() {
        if (idleTimer != null) {
            idleTimer.touch();
        }
    }

    // ---- half-close ----

    void onClientInputShutdown() {
        if (clientEof || closing) {
            return;
        }
        clientEof = true;
        if (backendChannel != null) {
            if (toBackendSplice != null && !drainSplicedTail(toBackendSplice, client)) {
                return;
            }
            shutdownOutputAfterFlush(backendChannel);
        }
    }

    void onBackendInputShutdown() {
        if (backendEof || closing) {
            return;
        }
        backendEof = true;
        if (toClientSplice != null && !drainSplicedTail(toClientSplice, backendChannel)) {
            return;
        }
        shutdownOutputAfterFlush(client);
    }

    /** Sends FIN to {@code ch} once every byte queued before it is written, then closes both if both are done. */
    private void shutdownOutputAfterFlush(Channel ch) {
        ChannelOutboundBuffer queued = ch.unsafe().outboundBuffer();
        if (queued != null && queued.totalPendingWriteBytes() == 0 && queued.isEmpty()) {
            // Nothing queued (the usual case): no need for an empty write and a listener to learn it.
            finAfterFlush(ch);
            return;
        }
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) flushed -> {
            if (!flushed.isSuccess()) {
                onFailure(ch, flushed.cause());
                return;
            }
            finAfterFlush(ch);
        });
    }

    private void finAfterFlush(Channel ch) {
        boolean otherDirectionDone = ch == client ? toBackendShut : toClientShut;
        if (otherDirectionDone && !closing) {
            // This FIN ends the connection: a plain close sends it just the same.
            closeBoth();
            return;
        }
        sendFin(ch);
    }

    /** Shuts the output of {@code ch}, whose queued bytes are all written. */
    private void sendFin(Channel ch) {
        if (ch instanceof UnixChannel unix && unix.fd() instanceof Socket socket) {
            // Straight to shutdown(2): Netty's shutdownOutput() allocates an exception with a full stack trace on
            // every call, to fail writes queued behind the FIN, and there are none.
            try {
                socket.shutdown(false, true);
            } catch (IOException e) {
                onFailure(ch, e);
                return;
            }
            onFinSent(ch);
            return;
        }
        ((DuplexChannel) ch).shutdownOutput().addListener((ChannelFutureListener) shut -> {
            if (!shut.isSuccess()) {
                onFailure(ch, shut.cause());
                return;
            }
            onFinSent(ch);
        });
    }

    /**
     * Both directions are done. A leg whose peer's FIN already closed it is left alone: Netty allocates an exception
     * for every close() of a closed channel.
     */
    private void closeBoth() {
        closing = true;
        if (client.isOpen()) {
            client.close();
        }
        if (backendChannel.isOpen()) {
            backendChannel.close();
        }
    }

    private void onFinSent(Channel ch) {
        if (ch == client) {
            toClientShut = true;
        } else {
            toBackendShut = true;
        }
        if (toClientShut && toBackendShut) {
            if (!closing) {
                closeBoth();
            }
            return;
        }
        if (ch == backendChannel && toClientSplice == null) {
            // The backend's FIN is now the end of its leg: Netty closes the channel on it (see onInactive) instead of
            // shutting its input, a shutdown(SHUT_RD) that fails with ENOTCONN on a socket finished both ways and
            // costs another stack-traced exception. A spliced direction keeps half-closure: its tail is read after
            // the FIN (startSplice restores it). The client leg keeps it too: its close runs finish(), which must
            // not cut a FIN still being flushed to the backend.
            ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        }
    }

    // ---- failures and closes ----

    /** {@code side} failed: a reset (or any error) is passed on to the other side as a reset. */
    void onFailure(Channel side, Throwable cause) {
        if (closing) {
            if (log.isDebugEnabled()) {
                log.debug("event=exception_after_close service={} channel={} cause=\"{}\"", handle.key(), side, cause);
            }
            return;
        }
        if (log.isDebugEnabled()) {
            log.debug("event=exception service={} side={} channel={}", handle.key(),
                    side == client ? "client" : "backend", side, cause);
        }
        result = cause instanceof IOException ? "reset" : "error";
        abort(side);
    }

    /**
     * {@code side} closed without the proxy asking. After the proxy's FIN to the backend that is the backend's own FIN
     * (half-closure is off from then on, see onFinSent; a reset arrives first as an exception); otherwise it is
     * abortive and the other side is reset.
     */
    void onInactive(Channel side) {
        if (!closing) {
            if (side == backendChannel && toBackendShut) {
                onBackendInputShutdown();
            } else {
                result = "reset";
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
        metrics.onFailure(FailureReason.IDLE_TIMEOUT);
        fail(FailureReason.IDLE_TIMEOUT);
        closing = true;
        client.close();
        if (backendChannel != null) {
            backendChannel.close();
        }
    }

    /** Drain: stops reading, flushes what each side has queued, then closes it. */
    void closeGracefully(FailureReason failure) {
        if (closing) {
            return;
        }
        closing = true;
        result = "drained";
        if (failure != null) {
            metrics.onFailure(failure);
            reason = failure;
        }
        client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        if (backendChannel != null) {
            backendChannel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Resets both sides at once (drain timeout, shutdown). */
    void abortBoth(FailureReason failure) {
        if (closing) {
            return;
        }
        if (failure != null) {
            metrics.onFailure(failure);
            fail(failure);
        } else {
            result = "aborted";
        }
        closing = true;
        reset(client);
        if (backendChannel != null) {
            reset(backendChannel);
        }
    }

    private void abort(Channel failed) {
        closing = true;
        Channel other = failed == client ? backendChannel : client;
        if (other != null) {
            reset(other);
        }
        failed.close();
    }

    private static void reset(Channel ch) {
        if (ch.isActive()) {
            // SO_LINGER 0 makes close() send RST instead of FIN, so the peer sees the failure, not a clean EOF.
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        ch.close();
    }

    private void fail(FailureReason failure) {
        reason = failure;
        result = "failed";
    }

    private void holdEarly(ByteBuf buf) {
        earlyHeldBytes += buf.capacity();
        if (early == null) {
            early = buf;
            return;
        }
        if (!(early instanceof CompositeByteBuf)) {
            CompositeByteBuf composite = client.alloc().compositeBuffer(Integer.MAX_VALUE);
            composite.addComponent(true, early);
            early = composite;
        }
        ((CompositeByteBuf) early).addComponent(true, buf);
    }

    /** Runs once, when the client channel is closed: counters, backend release, access log. */
    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        closing = true;
        if (idleTimer != null) {
            idleTimer.stop();
        }
        if (early != null) {
            early.release();
            early = null;
        }
        listenerActive.decrementAndGet();
        metrics.onConnectionClosed();
        if (backend != null) {
            backend.onConnectionClosed();
        }
        if (backendChannel != null && backendChannel.isOpen()) {
            backendChannel.close();
        }
        if (access.isInfoEnabled()) {
            access.info("service={} client={} backend={} bytes_in={} bytes_out={} duration_ms={} result={} reason={}",
                    handle.key(), hostPort(client.remoteAddress()),
                    backend == null ? "-" : backend.endpoint().hostPort(), bytesIn, bytesOut,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), result,
                    reason == null ? "-" : reason.tag());
        }
    }

    static void logRejected(ServiceHandle handle, Channel ch, FailureReason failure) {
        if (access.isInfoEnabled()) {
            access.info("service={} client={} backend=- bytes_in=0 bytes_out=0 duration_ms=0 result=rejected reason={}",
                    handle.key(), hostPort(ch.remoteAddress()), failure.tag());
        }
    }

    private static String hostPort(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String ip = inet.getAddress().getHostAddress();
            return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ':' + inet.getPort();
        }
        return String.valueOf(address);
    }
}
