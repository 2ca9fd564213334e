package io.junction.core.forward.tcp;

import io.netty.channel.Channel;

import java.net.InetSocketAddress;

/**
 * Who a connection's client is and what it connected to: the peer and the listener's address, unless an accepted
 * PROXY protocol header named others. What the picker, the access log and a PROXY protocol header to the backend
 * read.
 *
 * <p>Confined to the connection's event loop.
 */
final class ClientEndpoints {
    private final Channel client;
    /** As the accepted PROXY protocol header named them; null without one. */
    private InetSocketAddress proxiedSource;
    private InetSocketAddress proxiedDestination;

    ClientEndpoints(Channel client) {
        this.client = client;
    }

    /** The header said the client is {@code source}, connected to {@code destination}; once, before the connect. */
    void proxiedBy(InetSocketAddress source, InetSocketAddress destination) {
        this.proxiedSource = source;
        this.proxiedDestination = destination;
    }

    /** The client's address: the one its PROXY protocol header named, else the peer's. */
    InetSocketAddress source() {
        return proxiedSource != null ? proxiedSource : (InetSocketAddress) client.remoteAddress();
    }

    /** The address the client connected to: the one its PROXY protocol header named, else this listener's. */
    InetSocketAddress destination() {
        return proxiedDestination != null ? proxiedDestination : (InetSocketAddress) client.localAddress();
    }
}
