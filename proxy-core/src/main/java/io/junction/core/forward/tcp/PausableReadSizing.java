package io.junction.core.forward.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * How a connection leg sizes its reads ({@code sizing}), with one addition: while the leg's auto-read is off, a read
 * Netty starts anyway ends before it takes a byte. Netty's epoll transport does start such reads: once a peer's FIN
 * has been seen ({@code EPOLLRDHUP}), its read loop goes on until the socket is empty whatever auto-read says, and it
 * handles that event while reading is paused too. A backend that sends fast and then closes, towards a client that
 * reads slowly, had its whole tail (as much as the kernel's receive buffer held, up to several MiB on loopback) read
 * and queued towards the client at once, far over the write-buffer high-water mark that had paused the leg. Here the
 * socket keeps those bytes and the FIN until the relay resumes reading; the FIN is relayed after every byte as before.
 *
 * <p>How the read ends: {@link #allocate} throws {@link #PAUSED}, a preallocated exception without a stack trace.
 * Netty's read loop then fires read-complete and the exception through the pipeline, where each connection handler
 * ignores it ({@link #isPause}), and leaves the socket alone: Netty shuts a channel's input after a read failure only
 * for an {@code IOException} or an error. A buffer with no room would not do: Netty takes a read of 0 bytes for the
 * peer's EOF and would end the stream there.
 *
 * <p>Auto-read is the only pause a leg has (the relay and {@link EarlyData} toggle it; nothing calls
 * {@code Channel.read()}), so a read asked for while it is off is one of Netty's own. Used on epoll only.
 * {@code NettyEpollReadsPastAutoReadAfterFinSentinelTest} fails once Netty stops reading at auto-read off after a
 * FIN; this class can go then (docs/netty-coupling.md).
 *
 * <p>Thread-safe; each handle belongs to one channel and runs on its event loop.
 */
final class PausableReadSizing implements RecvByteBufAllocator {
    /** Ends a read that Netty starts while auto-read is off; never a failure. */
    static final RuntimeException PAUSED = new ReadPaused();

    private final RecvByteBufAllocator sizing;

    PausableReadSizing(RecvByteBufAllocator sizing) {
        this.sizing = sizing;
    }

    /** Whether {@code cause}, fired through a connection's pipeline, is the end of a paused read, not a failure. */
    static boolean isPause(Throwable cause) {
        return cause == PAUSED;
    }

    @Override
    public ExtendedHandle newHandle() {
        return new PausableHandle((ExtendedHandle) sizing.newHandle());
    }

    /** The type of {@link #PAUSED}: without a stack trace or suppressed exceptions, so one instance serves all. */
    private static final class ReadPaused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReadPaused() {
            super("read while auto-read is off: not taken (PausableReadSizing)", null, false, false);
        }
    }

    /** {@code sizing}'s handle, ending the read instead of allocating while its channel's auto-read is off. */
    private static final class PausableHandle extends DelegatingHandle implements ExtendedHandle {
        /** The channel's config, given to each read loop ({@link #reset}); null before the first. */
        private ChannelConfig config;

        PausableHandle(ExtendedHandle sizing) {
            super(sizing);
        }

        @Override
        public void reset(ChannelConfig config) {
            this.config = config;
            super.reset(config);
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            if (config != null && !config.isAutoRead()) {
                throw PAUSED;
            }
            return super.allocate(alloc);
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return ((ExtendedHandle) delegate()).continueReading(maybeMoreDataSupplier);
        }
    }
}
