package io.junction.core.forward.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultMessageSizeEstimator;
import io.netty.channel.MessageSizeEstimator;

/**
 * Sizes a buffer queued on a connection leg by the memory it holds (its capacity), not by the bytes in it, so the
 * write-buffer water marks bound memory. Both legs read into buffers of at least
 * {@link TcpChannelInitializer#MIN_READ_BYTES}: a peer that trickles tiny messages towards a side that does not read
 * would otherwise queue a 2 KiB buffer per 64 bytes counted, 32 times the high-water mark. For bulk reads, which fill
 * their buffers, the two sizes are the same. Anything else is sized as Netty's default sizes it. The one composite a
 * connection writes, the client bytes held while its backend connect was under way, counts only the bytes in its
 * parts; {@link TcpConnection} bounded their memory by capacity while it held them.
 *
 * <p>Stateless and thread-safe: one instance serves every channel.
 */
final class HeldMemoryEstimator implements MessageSizeEstimator, MessageSizeEstimator.Handle {
    static final HeldMemoryEstimator INSTANCE = new HeldMemoryEstimator();
    private static final Handle DEFAULT = DefaultMessageSizeEstimator.DEFAULT.newHandle();

    private HeldMemoryEstimator() {
    }

    @Override
    public Handle newHandle() {
        return this;
    }

    @Override
    public int size(Object msg) {
        return msg instanceof ByteBuf buf ? buf.capacity() : DEFAULT.size(msg);
    }
}
