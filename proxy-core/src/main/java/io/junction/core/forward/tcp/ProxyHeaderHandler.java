package io.junction.core.forward.tcp;

import io.junction.core.clock.NanoClock;
import io.junction.core.metrics.ProxyProtocolRejection;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Waits for the PROXY protocol header of a connection from a trusted peer ({@code acceptProxyProtocol}), behind a
 * {@link ProxyHeaderDecoder}. Once the header is decoded, the proxied connection starts as any other, with the client
 * the header named: this handler replaces itself with the connection's {@link TcpFrontendHandler} and starts the
 * backend connect (none starts before), and the decoder removes itself, handing the bytes after the header on. So
 * after the header the pipeline is the one of a connection without PROXY protocol, and splice works as usual.
 *
 * <p>Refused and counted ({@code junction_proxy_protocol_rejected_total}): a malformed header at once, a peer that
 * has not sent a whole header within the timeout at the timeout. A peer that leaves before is just closed. The
 * connection holds its slot of the listener's {@code maxConnections} while waiting, and is counted as accepted (and
 * listed for drains) from the header on.
 *
 * <p>Event-loop confined (one per connection).
 */
final class ProxyHeaderHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ProxyHeaderHandler.class);

    private final ServiceHandle handle;
    private final TcpSettings tcp;
    private final AtomicInteger listenerActive;
    private final NanoClock clock;
    private ScheduledFuture<?> timeout;
    /** Refused, or the peer left: nothing more is done, and the slot is given back once the channel is closed. */
    private boolean ended;

    ProxyHeaderHandler(ServiceHandle handle, TcpSettings tcp, AtomicInteger listenerActive, NanoClock clock) {
        this.handle = handle;
        this.tcp = tcp;
        this.listenerActive = listenerActive;
        this.clock = clock;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> refuse(ctx, ProxyProtocolRejection.TIMEOUT),
                tcp.acceptProxyProtocol().timeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header) || ended) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            accept(ctx, ProxyHeaders.source(header), ProxyHeaders.destination(header));
        } finally {
            header.release();
        }
    }

    /** The header is in: the connection proceeds with {@code source} as its client (null: the peer itself). */
    private void accept(ChannelHandlerContext ctx, InetSocketAddress source, InetSocketAddress destination) {
        timeout.cancel(false);
        TcpConnection connection = new TcpConnection(ctx.channel(), handle, tcp, listenerActive, clock);
        TcpFrontendHandler frontend = new TcpFrontendHandler(connection, handle.current().picker());
        ctx.pipeline().replace(this, null, frontend);
        if (source != null) {
            connection.endpoints().proxiedBy(source, destination);
        }
        frontend.connect(connection.endpoints().source().getAddress());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (PausableReadSizing.isPause(cause)) {
            return;
        }
        if (cause instanceof DecoderException) {
            if (log.isDebugEnabled()) {
                log.debug("event=proxy_protocol_malformed service={} client={} cause=\"{}\"", handle.key(),
                        ctx.channel(), cause.getMessage());
            }
            refuse(ctx, ProxyProtocolRejection.MALFORMED);
        } else {
            // A reset or another I/O error: the peer is gone.
            end(ctx);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        // The only events before the header are the peer's FIN (input shutdown): it left without a whole header.
        ReferenceCountUtil.release(evt);
        end(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ended = true;
        timeout.cancel(false);
        listenerActive.decrementAndGet();
    }

    private void refuse(ChannelHandlerContext ctx, ProxyProtocolRejection reason) {
        if (ended) {
            return;
        }
        handle.metrics().onProxyProtocolRejected(reason);
        AccessLog.rejected(ctx.channel().eventLoop(), handle.key(), ctx.channel().remoteAddress(),
                reason.accessLogReason());
        end(ctx);
    }

    private void end(ChannelHandlerContext ctx) {
        ended = true;
        timeout.cancel(false);
        ctx.close();
    }
}
