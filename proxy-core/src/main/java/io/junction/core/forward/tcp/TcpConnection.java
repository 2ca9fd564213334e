package io.junction.core.forward.tcp;

import io.junction.core.lb.Backend;
import io.junction.core.metrics.FailureReason;
import io.junction.core.metrics.ServiceMetrics;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
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
    private final long startNanos = System.nanoTime();

    private Channel backendChannel;
    private Backend backend;
    /** Client bytes read before the backend was connected (epoll reads up to EOF on RDHUP even without a read()). */
    private ByteBuf early;
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

    TcpConnection(Channel client, ServiceHandle handle, TcpSettings tcp, AtomicInteger listenerActive) {
        this.client = client;
        this.handle = handle;
        this.metrics = handle.metrics();
        this.tcp = tcp;
        this.listenerActive = listenerActive;
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
    }

    void connectFailed(FailureReason failure) {
        metrics.onFailure(failure);
        fail(failure);
        closing = true;
        client.close();
    }

    // ---- relay ----

    void onClientRead(ByteBuf buf) {
        int n = buf.readableBytes();
        bytesIn += n;
        metrics.addBytesToBackend(n);
        if (closing) {
            buf.release();
        } else if (backendChannel == null) {
            holdEarly(buf);
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
        }
    }

    void onBackendRead(ByteBuf buf) {
        int n = buf.readableBytes();
        bytesOut += n;
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
    }

    /** The client can take more (or less): resume or pause reading the backend. */
    void onClientWritabilityChanged() {
        if (backendChannel != null && !backendEof && !closing) {
            backendChannel.config().setAutoRead(client.isWritable());
        }
    }

    /** The backend can take more (or less): resume or pause reading the client. */
    void onBackendWritabilityChanged() {
        if (!clientEof && !closing) {
            client.config().setAutoRead(backendChannel.isWritable());
        }
    }

    // ---- half-close ----

    void onClientInputShutdown() {
        if (clientEof || closing) {
            return;
        }
        clientEof = true;
        if (backendChannel != null) {
            shutdownOutputAfterFlush(backendChannel);
        }
    }

    void onBackendInputShutdown() {
        if (backendEof || closing) {
            return;
        }
        backendEof = true;
        shutdownOutputAfterFlush(client);
    }

    /** Sends FIN to {@code ch} once every byte queued before it is written, then closes both if both are done. */
    private void shutdownOutputAfterFlush(Channel ch) {
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) flushed -> {
            if (!flushed.isSuccess()) {
                onFailure(ch, flushed.cause());
                return;
            }
            boolean otherDirectionDone = ch == client ? toBackendShut : toClientShut;
            if (otherDirectionDone && !closing) {
                // This FIN ends the connection: a plain close sends it just the same and spares Netty's
                // shutdownOutput(), which allocates an exception with a full stack trace for every call.
                closing = true;
                client.close();
                backendChannel.close();
                return;
            }
            ((DuplexChannel) ch).shutdownOutput().addListener((ChannelFutureListener) shut -> {
                if (!shut.isSuccess()) {
                    onFailure(ch, shut.cause());
                    return;
                }
                if (ch == client) {
                    toClientShut = true;
                } else {
                    toBackendShut = true;
                }
                if (toClientShut && toBackendShut && !closing) {
                    closing = true;
                    client.close();
                    backendChannel.close();
                }
            });
        });
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

    /** {@code side} closed without the proxy asking: treat it as abortive and reset the other side. */
    void onInactive(Channel side) {
        if (!closing) {
            result = "reset";
            abort(side);
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
