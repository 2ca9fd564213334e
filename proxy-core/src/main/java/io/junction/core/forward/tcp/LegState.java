package io.junction.core.forward.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DuplexChannel;

/** One leg's state in one line, for {@link TcpConnection#describe()}. Stateless; call on the channel's loop. */
final class LegState {
    private LegState() {
    }

    static String of(Channel ch) {
        ChannelOutboundBuffer queued = ch.unsafe().outboundBuffer();
        String queuedBytes = queued == null ? "closed" : String.valueOf(queued.totalPendingWriteBytes());
        return ch + " active=" + ch.isActive() + " writable=" + ch.isWritable() + " autoRead="
                + ch.config().isAutoRead() + " queuedBytes=" + queuedBytes
                + " inputShutdown=" + (ch instanceof DuplexChannel d && d.isInputShutdown())
                + " outputShutdown=" + (ch instanceof DuplexChannel d2 && d2.isOutputShutdown());
    }
}
