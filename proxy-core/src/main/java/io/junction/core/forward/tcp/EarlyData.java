package io.junction.core.forward.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;

/**
 * Client bytes read while the backend connect is under way. Reading them at once, as HAProxy does, spares a wait for
 * the client's readiness after the connect: the request usually arrives with the handshake. What is held is bounded by
 * the memory of its buffers (their capacity, see {@link HeldMemoryEstimator}), which the connection compares with the
 * high-water mark to pause the client. Also remembers a FIN that came before the backend did.
 *
 * <p>Event-loop confined (one per connection).
 */
final class EarlyData {
    private ByteBuf held;
    private long bytes;
    private int heldMemory;
    private boolean eof;

    /**
     * One read of {@code client} before the backend connected; takes ownership of {@code buf}. Held, and the client
     * paused once what is held reaches {@code highWaterMark}; dropped when the connection is {@code closing}.
     */
    void onRead(ByteBuf buf, Channel client, int highWaterMark, boolean closing) {
        bytes += buf.readableBytes();
        if (closing) {
            buf.release();
            return;
        }
        hold(buf, client.alloc());
        if (heldMemory >= highWaterMark) {
            client.config().setAutoRead(false);
        }
    }

    /** Bytes read so far, held or not. */
    long bytes() {
        return bytes;
    }

    /** Takes ownership of {@code buf}, appending it to what is held. */
    private void hold(ByteBuf buf, ByteBufAllocator alloc) {
        heldMemory += buf.capacity();
        if (held == null) {
            held = buf;
            return;
        }
        if (!(held instanceof CompositeByteBuf)) {
            CompositeByteBuf composite = alloc.compositeBuffer(Integer.MAX_VALUE);
            composite.addComponent(true, held);
            held = composite;
        }
        ((CompositeByteBuf) held).addComponent(true, buf);
    }

    /** Memory held, by buffer capacity. */
    int heldMemory() {
        return heldMemory;
    }

    /** The client sent its FIN before the backend connected. */
    void onEof() {
        eof = true;
    }

    boolean eof() {
        return eof;
    }

    /** What is held (the caller owns it now), or null; nothing is held afterwards. */
    ByteBuf take() {
        ByteBuf out = held;
        held = null;
        heldMemory = 0;
        return out;
    }

    /** Drops what is held (the connection failed). */
    void release() {
        if (held != null) {
            held.release();
            held = null;
        }
    }
}
