package io.junction.core.forward.tcp;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DuplexChannel;

/**
 * What the proxy does to one leg (client or backend channel) of a connection when it ends: close it after what is
 * queued, reset it, and describe it for diagnostics. Stateless; call on the channel's loop.
 */
final class Legs {
    private Legs() {
    }

    /** Closes {@code ch} once its queued bytes are written (at once when nothing is queued). */
    static void closeAfterFlush(Channel ch) {
        ChannelOutboundBuffer queued = ch.unsafe().outboundBuffer();
        if (queued == null || queued.isEmpty()) {
            ch.close();
        } else {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Closes {@code ch} so that its peer sees a reset, not a clean EOF. */
    static void reset(Channel ch) {
        if (ch.isActive()) {
            // SO_LINGER 0 makes close() send RST instead of FIN.
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        ch.close();
    }

    /** The leg's state in one line, for {@link TcpConnection#describe()}. */
    static String describe(Channel ch) {
        ChannelOutboundBuffer queued = ch.unsafe().outboundBuffer();
        String queuedBytes = queued == null ? "closed" : String.valueOf(queued.totalPendingWriteBytes());
        return ch + " active=" + ch.isActive() + " writable=" + ch.isWritable() + " autoRead="
                + ch.config().isAutoRead() + " queuedBytes=" + queuedBytes
                + " inputShutdown=" + (ch instanceof DuplexChannel d && d.isInputShutdown())
                + " outputShutdown=" + (ch instanceof DuplexChannel d2 && d2.isOutputShutdown());
    }
}
