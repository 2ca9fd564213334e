package io.junction.core.forward.udp;

import io.junction.core.forward.Transports;
import io.netty.channel.ChannelConfig;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;

/**
 * Sizes the receive buffers of UDP channels so that an oversize datagram is always detected, never silently
 * truncated: each datagram gets a slot of {@code maxDatagramSize + 1} bytes, so a datagram that fills its slot was
 * larger than allowed (the kernel truncated it to the slot) and is dropped by the caller. With epoll, several slots
 * share one buffer and are filled by a single {@code recvmmsg} call ({@link EpollChannelOption#MAX_DATAGRAM_PAYLOAD_SIZE});
 * the batch is capped at about 64 KiB so that large maximum sizes do not pin large buffers per read.
 *
 * <p>Stateless; thread-safe.
 */
final class UdpReceiveSizing {
    /** Upper bound of one receive buffer holding several datagram slots. */
    static final int BATCH_BYTES = 64 * 1024;
    /** Upper bound of datagrams read by one {@code recvmmsg}; Netty reads at most 16 messages per read loop anyway. */
    static final int MAX_BATCH = 16;

    private UdpReceiveSizing() {
    }

    /** Bytes reserved per datagram: one more than the largest datagram that may pass. */
    static int slotSize(int maxDatagramSize) {
        return maxDatagramSize + 1;
    }

    /** Datagram slots per receive buffer for the current transport. */
    static int slotsPerRead(int maxDatagramSize) {
        if (!Transports.epoll()) {
            return 1;
        }
        return Math.max(1, Math.min(MAX_BATCH, BATCH_BYTES / slotSize(maxDatagramSize)));
    }

    /** Applies the sizing to a datagram channel's config; call before the channel is registered. */
    static void apply(ChannelConfig config, int maxDatagramSize) {
        int slot = slotSize(maxDatagramSize);
        int slots = slotsPerRead(maxDatagramSize);
        if (Transports.epoll()) {
            config.setOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, slots > 1 ? slot : 0);
        }
        config.setRecvByteBufAllocator(new FixedRecvByteBufAllocator(slot * slots));
    }

    /** Whether a received datagram of {@code readableBytes} must be dropped as oversize. */
    static boolean oversize(int readableBytes, int maxDatagramSize) {
        return readableBytes > maxDatagramSize;
    }
}
