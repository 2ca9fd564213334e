package io.junction.core.forward.tcp;

import io.junction.core.forward.Transports;
import io.junction.core.lb.Backend;
import io.junction.core.lb.PickContext;
import io.junction.core.lb.Picker;
import io.junction.core.metrics.FailureReason;
import io.junction.core.metrics.ServiceMetrics;
import io.junction.core.model.TcpSettings;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
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
        Channel client = connection.client();
        new Bootstrap()
                .group(client.eventLoop())
                .channelFactory(Transports.socketChannelFactory(backend.address()))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, tcp.connectTimeout().toMillis()))
                .option(ChannelOption.AUTO_READ, false)
                // No TCP_NODELAY option: Netty's epoll and NIO socket configs enable it on every new channel already,
                // and setting it again would cost one more setsockopt per connection leg.
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, TcpChannelInitializer.waterMark(tcp))
                .handler(new TcpBackendHandler(connection))
                .connect(backend.address())
                .addListener(this);
    }

    @Override
    public void operationComplete(ChannelFuture future) {
        if (future.isSuccess()) {
            connection.backendConnected(future.channel(), current);
            return;
        }
        if (connection.isClosing()) {
            return; // the client went away while connecting
        }
        context.markTried(current);
        current.onConnectFailure();
        metrics.onConnectFailure();
        if (log.isDebugEnabled()) {
            log.debug("event=connect_failed service={} backend={} attempt={} cause=\"{}\"",
                    connection.handle().key(), current, attempts, future.cause());
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
