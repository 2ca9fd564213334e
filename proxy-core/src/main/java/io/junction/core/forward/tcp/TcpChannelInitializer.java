package io.junction.core.forward.tcp;

import io.junction.core.clock.NanoClock;
import io.junction.core.forward.DescriptorBudget;
import io.junction.core.forward.RateLimitedLog;
import io.junction.core.forward.Transports;
import io.junction.core.metrics.FailureReason;
import io.junction.core.metrics.ProxyProtocolRejection;
import io.junction.core.model.ConnectionRateLimit;
import io.junction.core.model.ProxyProtocolAccept;
import io.junction.core.model.SpliceMode;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.junction.core.state.ServiceSnapshot;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sets up each accepted client connection: enforces the listener's connection limit, applies the settings of the
 * snapshot current at accept time (one volatile read) and installs the frontend handler (the connection runs its own
 * idle timer). With {@code acceptProxyProtocol}, a peer outside its trusted blocks is closed at once, and a trusted
 * one gets a {@link ProxyHeaderDecoder} and a {@link ProxyHeaderHandler} instead, which set up the frontend once the
 * header is in.
 *
 * <p>The listener adds this handler to every accepted channel, and Netty calls {@link #handlerAdded} once the channel
 * is registered on its loop; the handler then replaces itself with the connection's frontend handler. Netty's
 * {@code ChannelInitializer} would do the same with a concurrent set per listener to guard against a second call (two
 * or three map updates per connection), which a handler that is gone after the first call does not need.
 *
 * <p>Thread-safe (shared by every worker loop); each call runs on the accepted channel's event loop.
 */
@ChannelHandler.Sharable
final class TcpChannelInitializer extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TcpChannelInitializer.class);
    /** The smallest read buffer either leg of a connection reads into. */
    static final int MIN_READ_BYTES = 2048;
    /**
     * How both legs size their read buffers: adaptive from {@link #MIN_READ_BYTES} up to 64 KiB. Netty's default floor
     * is 64 bytes, and its adaptive sizing shrinks towards it on a stream of small messages (tcp-rr's 64-byte requests
     * did); a message that fills the buffer exactly then costs a second {@code recv} that finds nothing
     * ({@code EAGAIN}): 0.25 extra reads per request, 11% of all reads, in tcp-rr. A buffer lives until its bytes are
     * written (idle connections hold none), and queued buffers count by capacity ({@link HeldMemoryEstimator}), so the
     * floor cannot make a queue hold more memory than its high-water mark.
     */
    private static final RecvByteBufAllocator ADAPTIVE_SIZING =
            new AdaptiveRecvByteBufAllocator(MIN_READ_BYTES, MIN_READ_BYTES, 64 * 1024);
    /**
     * What both legs read with: {@link #ADAPTIVE_SIZING}, and on epoll nothing while a leg is paused, which Netty's
     * epoll transport would otherwise read after a peer's FIN ({@link PausableReadSizing}).
     */
    static final RecvByteBufAllocator READ_SIZING =
            Transports.epoll() ? new PausableReadSizing(ADAPTIVE_SIZING) : ADAPTIVE_SIZING;
    /** One line a second at most for the whole node, however many connections the descriptor budget refuses. */
    private static final RateLimitedLog BUDGET_LOG = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(1));

    private final ServiceHandle handle;
    private final AtomicInteger active;
    private final NanoClock clock;
    private final DescriptorBudget budget;
    /** Returns a connection's budget slot when its client channel closes; one instance for all connections. */
    private final ChannelFutureListener releaseSlot;
    private final AtomicBoolean spliceUnavailableLogged = new AtomicBoolean();
    /** The buckets of the current {@code connectionRateLimit}; replaced (buckets reset) when a reload changes it. */
    private final AtomicReference<SourceRateLimiter> rateLimiter = new AtomicReference<>();

    TcpChannelInitializer(ServiceHandle handle, AtomicInteger active, NanoClock clock, DescriptorBudget budget) {
        this.handle = handle;
        this.active = active;
        this.clock = clock;
        this.budget = budget;
        this.releaseSlot = f -> budget.release();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        ServiceSnapshot snapshot = handle.current();
        TcpSettings tcp = snapshot.spec().tcp();
        ProxyProtocolAccept accept = tcp.acceptProxyProtocol();
        if (tcp.connectionRateLimit().enabled() && !withinRate(ch, tcp.connectionRateLimit())) {
            // First: a source over its rate takes neither a descriptor slot nor a listener slot.
            handle.metrics().onFailure(FailureReason.RATE_LIMITED);
            AccessLog.rejected(ch.eventLoop(), handle.key(), ch.remoteAddress(), FailureReason.RATE_LIMITED);
            ch.close();
            return;
        }
        if (accept.enabled() && !trusted(ch, accept)) {
            // Before the connection limit: an untrusted peer takes no slot.
            handle.metrics().onProxyProtocolRejected(ProxyProtocolRejection.UNTRUSTED);
            AccessLog.rejected(ch.eventLoop(), handle.key(), ch.remoteAddress(),
                    ProxyProtocolRejection.UNTRUSTED.accessLogReason());
            ch.close();
            return;
        }
        if (!budget.tryAcquire()) {
            // Accepted only to be closed: the client sees a close at once instead of waiting in the backlog.
            handle.metrics().onFailure(FailureReason.DESCRIPTOR_LIMIT);
            AccessLog.rejected(ch.eventLoop(), handle.key(), ch.remoteAddress(), FailureReason.DESCRIPTOR_LIMIT);
            BUDGET_LOG.warn("event=connection_refused reason=descriptor_limit service={} suppressed={}", handle.key());
            ch.close();
            return;
        }
        // Whatever happens to the connection from here, its descriptors are free once the client channel closes.
        ch.closeFuture().addListener(releaseSlot);
        if (active.incrementAndGet() > tcp.maxConnections()) {
            active.decrementAndGet();
            handle.metrics().onFailure(FailureReason.CONNECTION_LIMIT);
            AccessLog.rejected(ch.eventLoop(), handle.key(), ch.remoteAddress(), FailureReason.CONNECTION_LIMIT);
            ch.close();
            return;
        }
        ChannelHandler frontend;
        try {
            frontend = accept.enabled() ? headerReader(ch, tcp) : frontend(ch, snapshot, tcp);
        } catch (RuntimeException e) {
            // No connection will end and release the slot taken above: release it here.
            active.decrementAndGet();
            log.warn("event=init_failed service={} client={}", handle.key(), ch, e);
            ch.close();
            return;
        }
        if (accept.enabled()) {
            // The decoder first; the header handler behind it becomes the frontend once the header is in.
            ctx.pipeline().addAfter(ctx.name(), null, frontend);
            ctx.pipeline().replace(this, null, new ProxyHeaderDecoder());
        } else {
            ctx.pipeline().replace(this, null, frontend);
        }
    }

    /** Whether the peer of {@code ch} (the TCP source address, not a PROXY protocol client) is within {@code limit}. */
    private boolean withinRate(Channel ch, ConnectionRateLimit limit) {
        if (!(ch.remoteAddress() instanceof InetSocketAddress peer)) {
            return true;
        }
        SourceRateLimiter limiter = rateLimiter.get();
        while (limiter == null || !limiter.limit().equals(limit)) {
            // First connection, or the limit changed on reload. Loops accepting at the same moment must end up on
            // one limiter, or each would hand the same source a fresh burst: the CAS picks the winner.
            SourceRateLimiter fresh = new SourceRateLimiter(limit);
            limiter = rateLimiter.compareAndSet(limiter, fresh) ? fresh : rateLimiter.get();
        }
        return limiter.tryAcquire(peer.getAddress());
    }

    private static boolean trusted(Channel ch, ProxyProtocolAccept accept) {
        return ch.remoteAddress() instanceof InetSocketAddress peer && accept.trusts(peer.getAddress());
    }

    /** What reads the PROXY protocol header of {@code ch} and then sets the connection up as {@link #frontend} does. */
    private ChannelHandler headerReader(Channel ch, TcpSettings tcp) {
        configure(ch, tcp);
        return new ProxyHeaderHandler(handle, tcp, active, clock);
    }

    /** The frontend handler of the accepted channel {@code ch}, with the settings of {@code snapshot}. */
    private ChannelHandler frontend(Channel ch, ServiceSnapshot snapshot, TcpSettings tcp) {
        configure(ch, tcp);
        TcpConnection connection = new TcpConnection(ch, handle, tcp, active, clock);
        return new TcpFrontendHandler(connection, snapshot.picker());
    }

    private void configure(Channel ch, TcpSettings tcp) {
        if (tcp.splice() != SpliceMode.OFF && !Transports.epoll() && spliceUnavailableLogged.compareAndSet(false, true)) {
            log.info("event=splice_unavailable service={} splice={} transport={} using=relay", handle.key(),
                    tcp.splice().configName(), Transports.name());
        }
        ch.config().setWriteBufferWaterMark(waterMark(tcp));
        ch.config().setRecvByteBufAllocator(READ_SIZING);
        ch.config().setMessageSizeEstimator(HeldMemoryEstimator.INSTANCE);
    }

    /** The write-buffer water marks of both legs of a connection. */
    static WriteBufferWaterMark waterMark(TcpSettings tcp) {
        return new WriteBufferWaterMark(tcp.writeBufferLowWaterMark(), tcp.writeBufferHighWaterMark());
    }
}
