package io.junction.core.forward.tcp;

import io.junction.core.state.ServiceListener;
import io.netty.channel.Channel;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bound TCP server socket. Closing it closes only the server socket; accepted connections keep running until they
 * end or are drained through {@link io.junction.core.forward.ConnectionRegistry}.
 *
 * <p>Thread-safe.
 */
final class TcpListener implements ServiceListener {
    private final List<Channel> serverChannels;
    private final InetSocketAddress localAddress;
    private final AtomicInteger activeConnections;

    /** @param serverChannels the bound server sockets of the service (several with {@code SO_REUSEPORT}) */
    TcpListener(List<Channel> serverChannels, AtomicInteger activeConnections) {
        this.serverChannels = List.copyOf(serverChannels);
        this.localAddress = (InetSocketAddress) serverChannels.get(0).localAddress();
        this.activeConnections = activeConnections;
    }

    /** The server sockets, one per worker loop with epoll. */
    List<Channel> serverChannels() {
        return serverChannels;
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
        for (Channel ch : serverChannels) {
            ch.close().syncUninterruptibly();
        }
    }

    @Override
    public String toString() {
        return "TcpListener{" + localAddress + '}';
    }
}
