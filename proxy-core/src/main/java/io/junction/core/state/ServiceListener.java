package io.junction.core.state;

import java.net.InetSocketAddress;

/**
 * A bound listening socket (or group of {@code SO_REUSEPORT} sockets) serving one service. Closing it stops new
 * connections or sessions only; connections already accepted keep running until they end or are drained.
 *
 * <p>Thread-safe.
 */
public interface ServiceListener extends AutoCloseable {

    /** The address actually bound (the real port when the spec asked for port 0). */
    InetSocketAddress localAddress();

    /** Stops accepting; blocks until the listening socket is closed. Idempotent. */
    @Override
    void close();
}
