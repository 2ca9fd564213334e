package io.junction.core.forward.tcp;

import io.junction.core.clock.NanoClock;
import io.junction.core.forward.Transports;
import io.junction.core.lb.Backend;
import io.junction.core.lb.PickContext;
import io.junction.core.lb.Picker;
import io.junction.core.metrics.FailureReason;
import io.junction.core.metrics.ServiceMetrics;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.RetryGate;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects one client connection to a backend: picks, connects on the client channel's own event loop (so both legs
 * share a thread), and on failure marks the backend tried and picks again, up to {@code maxConnectAttempts} attempts
 * in total and while the service's retry budget allows. Retries read the service's current snapshot, so an endpoint
 * added meanwhile can be chosen.
 *
 * <p>Every attempt is reported to its backend: a connect in progress counts as load for least-connections, and its
 * outcome (with the connect latency) feeds passive health and peak-EWMA.
 *
 * <p>Event-loop confined (one instance per client connection).
 */
final class ConnectAttempt implements ChannelFutureListener {
    private static final Logger log = LoggerFactory.getLogger(ConnectAttempt.class);

    private final TcpConnection connection;
    private final PickContext context;
    private final ServiceMetrics metrics;
    private final TcpSettings tcp;
    private final RetryGate retries;
    private final NanoClock clock;
    private Backend current;
    private long startedNanos;
    private int attempts;
    private boolean retrying;
    private boolean ended;

    ConnectAttempt(TcpConnection connection, PickContext context) {
        this.connection = connection;
        this.context = context;
        this.metrics = connection.handle().metrics();
        this.tcp = connection.tcp();
        this.retries = connection.handle().retries();
        this.clock = connection.clock();
    }

    /** First attempt, with the picker of the snapshot read when the connection was accepted. */
    void start(Picker picker) {
        Backend backend = picker.pick(context);
        if (backend == null) {
            connection.teardown().connectFailed(connection.handle().current().eligible().isEmpty()
                    ? FailureReason.NO_HEALTHY_ENDPOINT : FailureReason.ENDPOINTS_BUSY);
            return;
        }
        retries.connectStarted();
        connect(backend);
    }

    private void connect(Backend backend) {
        current = backend;
        attempts++;
        SocketChannel ch;
        try {
            ch = Transports.socketChannelFactory(backend.address()).newChannel();
        } catch (RuntimeException e) { // e.g. EMFILE from socket(2)
            failed(e);
            return;
        }
        try {
            configure(ch);
        } catch (RuntimeException e) {
            ch.unsafe().closeForcibly();
            failed(e);
            return;
        }
        // Registered and connected here rather than through a Bootstrap: the address is resolved already (Bootstrap
        // looks up a resolver under a lock for every connect) and the connect starts now instead of from a task
        // queued behind the rest of this loop turn.
        backend.onConnectStarted();
        startedNanos = clock.nanoTime();
        connection.clientChannel().eventLoop().register(ch).addListener((ChannelFutureListener) registered -> {
            if (registered.isSuccess()) {
                ch.connect(backend.address()).addListener(this);
            } else {
                operationComplete(registered);
            }
        });
    }

    private void configure(SocketChannel ch) {
        SocketChannelConfig config = ch.config();
        config.setConnectTimeoutMillis((int) Math.min(Integer.MAX_VALUE, tcp.connectTimeout().toMillis()));
        config.setAutoRead(false);
        // No TCP_NODELAY: Netty's epoll and NIO socket configs enable it on every new channel already, and setting it
        // again would cost one more setsockopt per connection.
        config.setKeepAlive(true);
        config.setAllowHalfClosure(true);
        config.setWriteBufferWaterMark(TcpChannelInitializer.waterMark(tcp));
        config.setRecvByteBufAllocator(TcpChannelInitializer.READ_SIZING);
        config.setMessageSizeEstimator(HeldMemoryEstimator.INSTANCE);
        ch.pipeline().addLast(new TcpBackendHandler(connection));
    }

    @Override
    public void operationComplete(ChannelFuture future) {
        current.onConnectFinished();
        if (future.isSuccess()) {
            current.onConnectSuccess(clock.nanoTime() - startedNanos);
            end();
            connection.backendConnected(future.channel(), current);
            return;
        }
        future.channel().close();
        failed(future.cause());
    }

    /** The connection stops connecting: connected, given up, or its client left. */
    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        if (retrying) {
            retrying = false;
            retries.retryEnded();
        }
        retries.connectEnded();
    }

    private void failed(Throwable cause) {
        if (connection.isClosing()) {
            // The client went away while connecting: not the backend's failure. A recovering backend's test
            // admission is given back.
            current.outcomes().releaseAdmission();
            end();
            return;
        }
        context.markTried(current);
        current.onConnectFailure(tcp.connectTimeout().toNanos());
        metrics.onConnectFailure();
        if (log.isDebugEnabled()) {
            log.debug("event=connect_failed service={} backend={} attempt={} cause=\"{}\"",
                    connection.handle().key(), current, attempts, cause);
        }
        if (attempts >= tcp.maxConnectAttempts()) {
            giveUp(FailureReason.CONNECT_FAILED);
            return;
        }
        if (!retrying) {
            if (!retries.tryRetry(connection.handle().current().spec().health().retryBudget())) {
                giveUp(FailureReason.RETRY_BUDGET_EXHAUSTED);
                return;
            }
            // One retry slot per connection, held until it stops connecting: a connection is retrying or not.
            retrying = true;
        }
        Backend next = connection.handle().pick(context);
        if (next == null) {
            giveUp(FailureReason.CONNECT_FAILED);
            return;
        }
        metrics.onConnectRetry();
        connect(next);
    }

    private void giveUp(FailureReason reason) {
        end();
        connection.teardown().connectFailed(reason);
    }
}
