package io.junction.core.forward.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.unix.FileDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One direction of a proxied connection forwarded with {@code splice(2)}: source socket to a kernel pipe to target
 * socket, the bytes never reaching a {@link ByteBuf}. Built on Netty's {@link AbstractEpollStreamChannel#spliceTo},
 * whose preconditions hold for every proxied connection: both channels are epoll channels on the same event loop
 * ({@link ConnectAttempt} connects the backend on the client's loop), and Netty 4.2 epoll is always level-triggered.
 *
 * <p>Splicing runs in chunks of {@link #CHUNK_BYTES}: {@code spliceTo} reports nothing until its length is spliced,
 * so a chunk's completion is the only byte count there is. Each completed chunk is counted and the next one queued
 * from its listener, before the source channel reads again, so no read falls between chunks. The bytes of the last,
 * unfinished chunk of a direction are never reported, so byte counters of spliced directions may be up to
 * {@code CHUNK_BYTES - 1} short.
 *
 * <p>At the source's EOF Netty shuts its input down as soon as the FIN is seen, even when the pipe was full and part
 * of the stream is still in the socket's receive queue (Linux keeps it readable after {@code SHUT_RD}); it would never
 * read that part. {@link #drainTail()} reads it into buffers and relays it, so the FIN is forwarded only after every
 * byte.
 *
 * <p>Event-loop confined.
 */
final class SpliceDirection implements ChannelFutureListener {
    /** Bytes per {@code spliceTo} call: the granularity of byte counting for spliced directions. */
    static final int CHUNK_BYTES = 64 * 1024;
    private static final int TAIL_READ_BYTES = 64 * 1024;

    private final Relay relay;
    private final AbstractEpollStreamChannel from;
    private final AbstractEpollStreamChannel to;

    SpliceDirection(Relay relay, Channel from, Channel to) {
        this.relay = relay;
        this.from = (AbstractEpollStreamChannel) from;
        this.to = (AbstractEpollStreamChannel) to;
    }

    // Netty 4.2 deprecates spliceTo ("will be removed in the future") and offers no replacement; it is the only way to
    // splice between two Netty channels. docs/netty-coupling.md lists it for Netty upgrades.
    @SuppressWarnings("deprecation")
    void start() {
        from.spliceTo(to, CHUNK_BYTES).addListener(this);
    }

    @Override
    public void operationComplete(ChannelFuture future) {
        if (future.isSuccess()) {
            // Runs when the chunk's last bytes left the pipe, from inside the source's read loop or the target's
            // flush; queueing the next chunk here keeps the source from falling back to buffer reads in between.
            if (relay.onSpliced(CHUNK_BYTES)) {
                start();
            }
        } else {
            relay.onSpliceFailed(future.cause());
        }
    }

    /**
     * Reads what the source still holds after its EOF and hands it to the relay as ordinary reads (written behind the
     * spliced bytes already queued on the target). Stops at EOF or when nothing is left to read.
     */
    void drainTail() throws IOException {
        FileDescriptor fd = from.fd();
        for (;;) {
            ByteBuf buf = from.alloc().directBuffer(TAIL_READ_BYTES);
            int n;
            try {
                if (buf.hasMemoryAddress()) {
                    n = fd.readAddress(buf.memoryAddress(), buf.writerIndex(), buf.capacity());
                } else {
                    ByteBuffer nio = buf.internalNioBuffer(0, buf.capacity());
                    n = fd.read(nio, nio.position(), nio.limit());
                }
            } catch (IOException | RuntimeException e) {
                buf.release();
                throw e;
            }
            if (n <= 0) {
                // -1: EOF; 0: nothing queued (the input was shut without a FIN having arrived).
                buf.release();
                return;
            }
            buf.writerIndex(n);
            relay.onRead(buf);
        }
    }

    @Override
    public String toString() {
        return relay.toString();
    }
}
