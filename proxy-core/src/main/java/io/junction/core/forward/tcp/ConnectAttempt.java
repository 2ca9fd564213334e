package io.junction.core.forward.tcp;

import io.junction.core.forward.Transports;
import io.junction.core.lb.Backend;
import io.junction.core.lb.PickContext;
import io.junction.core.lb.Picker;
import io.junction.core.metrics.FailureReason;
import io.junction.core.metrics.ServiceMetrics;
import io.junction.core.model.TcpSettings;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects one client connection to a backend: picks, connects on the client channel's own event loop (so both legs
 * share a thread), and on failure marks the backend tried and picks again, up to {@code maxConnectAttempts} attempts
 * in total. Retries read the service's current snapshot, so an endpoint added meanwhile can be chosen.
 *
 * <p>Event-loop confined (one instance per client connection).
 */
final class ConnectAttempt implements ChannelFutureListener {
    private static final Logger log = LoggerFactory.getLogger(ConnectAttempt.class);

    private final TcpConnection connection;
    private final PickContext context;
    private final ServiceMetrics metrics;
    private final TcpSettings tcp;
    private Backend current;
    private int attempts;

    ConnectAttempt(TcpConnection connection, PickContext context) {
        this.connection = connection;
        this.context = context;
        this.metrics = connection.handle().metrics();
        this.tcp = connection.tcp();
    }

    /** First attempt, with the picker of the snapshot read when the connection was accepted. */
    void start(Picker picker) {
        Backend backend = picker.pick(context);
        if (backend == null) {
            connection.connectFailed(FailureReason.NO_HEALTHY_ENDPOINT);
            return;
        }
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
        if (future.isSuccess()) {
            connection.backendConnected(future.channel(), current);
            return;
        }
        future.channel().close();
        failed(future.cause());
    }

    private void failed(Throwable cause) {
        if (connection.isClosing()) {
            return; // the client went away while connecting
        }
        context.markTried(current);
        current.onConnectFailure();
        metrics.onConnectFailure();
        if (log.isDebugEnabled()) {
            log.debug("event=connect_failed service={} backend={} attempt={} cause=\"{}\"",
                    connection.handle().key(), current, attempts, cause);
        }
        if (attempts >= tcp.maxConnectAttempts()) {
            connection.connectFailed(FailureReason.CONNECT_FAILED);
            return;
        }
        Backend next = connection.handle().pick(context);
        if (next == null) {
            connection.connectFailed(FailureReason.CONNECT_FAILED);
            return;
        }
        metrics.onConnectRetry();
        connect(next);
    }
}
