package io.junction.core.forward.tcp;

import io.junction.core.forward.ServiceListener;
import io.netty.channel.Channel;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bound TCP server socket. Closing it closes only the server socket; accepted connections keep running until they
 * end or are drained through {@link TcpConnections}.
 *
 * <p>Thread-safe.
 */
final class TcpListener implements ServiceListener {
    private final Channel serverChannel;
    private final InetSocketAddress localAddress;
    private final AtomicInteger activeConnections;

    TcpListener(Channel serverChannel, AtomicInteger activeConnections) {
        this.serverChannel = serverChannel;
        this.localAddress = (InetSocketAddress) serverChannel.localAddress();
        this.activeConnections = activeConnections;
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Client connections of this listener that are open now. */
    int activeConnections() {
        return activeConnections.get();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
    }

    @Override
    public String toString() {
        return "TcpListener{" + localAddress + '}';
    }
}
