package io.junction.core.forward.tcp;

import io.junction.core.lb.Backend;
import io.junction.core.metrics.ServiceMetrics;
import io.junction.core.model.SpliceMode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;

import java.io.IOException;

/**
 * One direction of a proxied connection, source channel to target channel; a connection has two, client to backend
 * and backend to client, and the rules are the same both ways:
 * <ul>
 *   <li>each read is written to the target as the same buffer, and the target is flushed once per read batch;</li>
 *   <li>back-pressure: the source stops being read while the target's outbound buffer is above its high-water mark,
 *   and resumes below the low mark (auto-read is toggled only then, not per read: that saves two {@code epoll_ctl}
 *   calls per read on the native transport);</li>
 *   <li>the source's FIN is passed on as a FIN to the target only after every byte read before it is written;</li>
 *   <li>with splice, the direction can switch to {@code splice(2)} ({@link SpliceDirection}) and the same rules hold.</li>
 * </ul>
 * What ends the whole connection (both directions done, a failure, a reset) is the {@link TcpConnection}'s business.
 *
 * <p>Event-loop confined: both channels are on the connection's loop.
 */
final class Relay {
    private final TcpConnection connection;
    private final Channel source;
    private final Channel target;
    private final boolean toBackend;
    private final Backend backend;
    private final ServiceMetrics metrics;
    /** The source's FIN was seen. */
    private boolean eof;
    /** The FIN was passed on to the target. */
    private boolean finSent;
    private long bytes;
    /** Bytes read in the current read batch, for the AUTO splice rule. */
    private int batch;
    private SpliceDirection splice;

    /**
     * @param bytes what was counted for this direction before it existed (the client's early bytes)
     * @param eof   whether the source's FIN came already
     */
    Relay(TcpConnection connection, Channel source, Channel target, boolean toBackend, Backend backend,
          long bytes, boolean eof) {
        this.connection = connection;
        this.source = source;
        this.target = target;
        this.toBackend = toBackend;
        this.backend = backend;
        this.metrics = connection.handle().metrics();
        this.bytes = bytes;
        this.eof = eof;
    }

    boolean toBackend() {
        return toBackend;
    }

    boolean eof() {
        return eof;
    }

    boolean finSent() {
        return finSent;
    }

    boolean spliced() {
        return splice != null;
    }

    long bytes() {
        return bytes;
    }

    /** One read of the source; takes ownership of {@code buf}. */
    void onRead(ByteBuf buf) {
        connection.touch();
        int n = buf.readableBytes();
        count(n);
        batch += n;
        if (connection.isClosing()) {
            buf.release();
            return;
        }
        target.write(buf, target.voidPromise());
        if (!target.isWritable()) {
            // Stops the read loop after this buffer: at most one read beyond the high-water mark is held.
            source.config().setAutoRead(false);
        }
    }

    /** The source's read batch ended: flush, and maybe switch to splice. */
    void onReadComplete() {
        target.flush();
        if (splice != null) {
            connection.touch();
            if (eof) {
                // Netty re-arms reading when a pipe's last bytes are written; at EOF that would wake the loop on
                // every turn (level-triggered) for nothing.
                source.config().setAutoRead(false);
            }
        } else if (connection.spliceMode() == SpliceMode.AUTO && isBulk() && !eof && !connection.isClosing()) {
            startSplice();
        }
        batch = 0;
    }

    /** The target can take more (or less): resume or pause reading the source. */
    void onTargetWritabilityChanged() {
        connection.touch();
        if (eof || connection.isClosing()) {
            return;
        }
        boolean writable = target.isWritable();
        if (splice == null) {
            source.config().setAutoRead(writable);
        } else if (writable) {
            // Only buffers queued before the switch to splice (or early bytes) change the target's writability, and
            // the relay may have paused the source for them. Pausing a spliced source is Netty's job: it stops
            // reading while a pipe's bytes are not all written, and resumes by itself.
            source.config().setAutoRead(true);
        }
    }

    /** The source sent its FIN: pass it on once everything before it is written. */
    void onSourceEof() {
        if (eof || connection.isClosing()) {
            return;
        }
        eof = true;
        if (splice != null && !drainSplicedTail()) {
            return;
        }
        finAfterFlush();
    }

    /** Sends FIN to the target once every byte queued before it is written. */
    void finAfterFlush() {
        ChannelOutboundBuffer queued = target.unsafe().outboundBuffer();
        if (queued != null && queued.totalPendingWriteBytes() == 0 && queued.isEmpty()) {
            // Nothing queued (the usual case): no need for an empty write and a listener to learn it.
            onFlushedForFin();
            return;
        }
        target.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) flushed -> {
            if (flushed.isSuccess()) {
                onFlushedForFin();
            } else {
                connection.teardown().onFailure(target, flushed.cause());
            }
        });
    }

    private void onFlushedForFin() {
        if (connection.other(this).finSent() && !connection.isClosing()) {
            // This FIN ends the connection: a plain close sends it just the same.
            connection.teardown().closeBoth();
            return;
        }
        sendFin();
    }

    /** Shuts the target's output, whose queued bytes are all written. */
    private void sendFin() {
        if (target instanceof UnixChannel unix && unix.fd() instanceof Socket socket) {
            // Straight to shutdown(2): Netty's shutdownOutput() allocates an exception with a full stack trace on
            // every call, to fail writes queued behind the FIN, and there are none.
            try {
                socket.shutdown(false, true);
            } catch (IOException e) {
                connection.teardown().onFailure(target, e);
                return;
            }
            onFinSent();
            return;
        }
        ((DuplexChannel) target).shutdownOutput().addListener((ChannelFutureListener) shut -> {
            if (shut.isSuccess()) {
                onFinSent();
            } else {
                connection.teardown().onFailure(target, shut.cause());
            }
        });
    }

    private void onFinSent() {
        finSent = true;
        if (!connection.other(this).spliced()) {
            // The peer's FIN is now the end of the leg that just got the proxy's FIN: Netty closes the channel on it
            // (see Teardown.onInactive) instead of shutting its input, a shutdown(SHUT_RD) that fails with
            // ENOTCONN on a socket finished both ways and costs a stack-traced exception per connection. A spliced
            // source keeps half-closure (startSplice): its tail is read after its FIN.
            target.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        }
        connection.teardown().onFinSent();
    }

    // ---- splice ----

    /** The AUTO rule: one read batch of at least 64 KiB, or 1 MiB in total, makes a direction a bulk stream. */
    private boolean isBulk() {
        return batch >= SpliceMode.AUTO_BATCH_BYTES || bytes >= SpliceMode.AUTO_TOTAL_BYTES;
    }

    /** Forwards this direction with splice(2) from now on. */
    void startSplice() {
        // The spliced tail is read after the source's FIN, so that FIN must not close the channel.
        source.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        connection.onSpliceStart(this);
        splice = new SpliceDirection(this, source, target);
        splice.start();
    }

    /** A splice chunk of {@code n} bytes was written; returns whether the next chunk is to be spliced. */
    boolean onSpliced(int n) {
        connection.touch();
        count(n);
        return !connection.isClosing() && !eof;
    }

    void onSpliceFailed(Throwable cause) {
        connection.teardown().onSpliceFailed(this, cause);
    }

    /** Relays what the spliced source still held at its EOF; false if reading it failed (the connection is reset). */
    private boolean drainSplicedTail() {
        try {
            splice.drainTail();
            return true;
        } catch (IOException | RuntimeException e) {
            connection.teardown().onFailure(source, e);
            return false;
        }
    }

    private void count(int n) {
        bytes += n;
        if (toBackend) {
            metrics.addBytesToBackend(n);
            backend.addBytesToBackend(n);
        } else {
            metrics.addBytesToClient(n);
            backend.addBytesFromBackend(n);
        }
    }

    /** This direction's counters and flags, for {@link TcpConnection#describe()}. */
    String describe() {
        return this + " bytes=" + bytes + " eof=" + eof + " finSent=" + finSent + " spliced=" + (splice != null);
    }

    @Override
    public String toString() {
        return toBackend ? "client->backend" : "backend->client";
    }
}
