package io.junction.core.health;

import io.junction.core.model.HealthCheck;
import io.netty.channel.socket.SocketChannel;

/**
 * What one kind of probe does on its connection. {@link ProbeAttempt} owns the connection, the deadline and the one
 * result; a probe only sets the channel up and says, through the attempt, when it has seen enough.
 *
 * <p>Implementations are stateless and shared by every target; all calls come on the channel's event loop.
 */
sealed interface Probe permits TcpProbe, HttpProbe {

    static Probe of(HealthCheck.Type type) {
        return switch (type) {
            case TCP -> TcpProbe.INSTANCE;
            case HTTP -> HttpProbe.INSTANCE;
            case NONE -> throw new IllegalArgumentException("check type: none (expected: tcp or http)");
        };
    }

    /** Before the connect: options and handlers of the new, unregistered channel. */
    void prepare(SocketChannel channel, ProbeAttempt attempt);

    /** The connect completed: pass now, or start the exchange that will decide. */
    void connected(SocketChannel channel, ProbeAttempt attempt);
}
