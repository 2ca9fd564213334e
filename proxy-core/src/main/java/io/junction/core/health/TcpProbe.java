package io.junction.core.health;

import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;

/**
 * A TCP check: a connect that completes passes, and the connection is closed at once.
 *
 * <p>The close is a reset ({@code SO_LINGER} 0), as HAProxy's TCP checks do: a FIN would leave a {@code TIME_WAIT}
 * socket on this node for every probe (a thousand endpoints every 2 s keep some 30 000 of them), and the backend has
 * nothing to lose, since not a byte was sent. Nothing is read either: a banner the backend may send is not ours.
 *
 * <p>Stateless.
 */
final class TcpProbe implements Probe {
    static final TcpProbe INSTANCE = new TcpProbe();

    private TcpProbe() {
    }

    @Override
    public void prepare(SocketChannel channel, ProbeAttempt attempt) {
        channel.config().setAutoRead(false);
        channel.config().setOption(ChannelOption.SO_LINGER, 0);
    }

    @Override
    public void connected(SocketChannel channel, ProbeAttempt attempt) {
        attempt.pass("connected");
    }
}
