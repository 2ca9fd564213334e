package io.junction.core.forward.tcp;

import io.junction.core.metrics.FailureReason;
import io.netty.channel.Channel;

import java.util.Objects;

/**
 * Operations on proxied TCP connections from outside the data path, addressed by their client channel (the
 * channels {@link io.junction.core.lb.Backend#connections()} holds). Used by the control thread to drain connections
 * of a removed backend and at shutdown.
 *
 * <p>Thread-safe: every operation is handed to the connection's event loop.
 */
public final class TcpConnections {
    private TcpConnections() {
    }

    /**
     * Closes both legs of the proxied connection of {@code clientChannel} after flushing what each side has queued.
     * Counts no failure; the access log records {@code result=drained}.
     */
    public static void closeGracefully(Channel clientChannel) {
        closeGracefully(clientChannel, null);
    }

    /** As {@link #closeGracefully(Channel)}, counting {@code reason} (for example DRAIN_TIMEOUT) when not null. */
    public static void closeGracefully(Channel clientChannel, FailureReason reason) {
        Objects.requireNonNull(clientChannel, "clientChannel");
        clientChannel.eventLoop().execute(() -> {
            TcpConnection connection = connectionOf(clientChannel);
            if (connection != null) {
                connection.closeGracefully(reason);
            } else {
                clientChannel.close();
            }
        });
    }

    /** Resets both legs at once (SO_LINGER 0), counting {@code reason} when not null. */
    public static void abort(Channel clientChannel, FailureReason reason) {
        Objects.requireNonNull(clientChannel, "clientChannel");
        clientChannel.eventLoop().execute(() -> {
            TcpConnection connection = connectionOf(clientChannel);
            if (connection != null) {
                connection.abortBoth(reason);
            } else {
                clientChannel.close();
            }
        });
    }

    /** The backend channel proxied for {@code clientChannel}, or null while connecting or when it is not proxied. */
    public static Channel backendChannel(Channel clientChannel) {
        return clientChannel.attr(TcpConnection.BACKEND_CHANNEL).get();
    }

    private static TcpConnection connectionOf(Channel clientChannel) {
        TcpFrontendHandler frontend = clientChannel.pipeline().get(TcpFrontendHandler.class);
        return frontend == null ? null : frontend.connection();
    }
}
