package io.junction.core.forward.tcp;

import io.junction.core.forward.DescriptorBudget;
import io.junction.core.forward.RateLimitedLog;
import io.junction.core.metrics.FailureReason;
import io.junction.core.state.ServiceHandle;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Netty-specific workaround: what a listening socket does when {@code accept(2)} fails because the process or the
 * system ran out of descriptors (EMFILE, ENFILE). The pending connection stays in the kernel's backlog, so the socket
 * stays readable and an accept loop that just retries spins a core ({@code netty/netty#3911}). Netty's
 * {@code ServerBootstrapAcceptor.exceptionCaught} stops reading for a fixed second, and the exception then reaches the
 * pipeline's tail, which logs it with a stack trace each time. This handler sits before the acceptor on every server
 * channel and takes the event first: it stops accepting on that socket for {@link #PAUSE_MILLIS} only (recovery well
 * within a second once descriptors free up, at most 20 accept attempts a second while they do not), counts the
 * failure and logs at most one line a second for the whole node.
 *
 * <p>It can go when Netty's own pause after an accept failure is {@code <= 100 ms} and no longer logs each failure:
 * {@code AcceptPauseTest.nettyAloneStillPausesAcceptingForASecond} fails then.
 *
 * <p>Thread-safe (shared by every server channel of a service); runs on the server channel's event loop.
 */
@ChannelHandler.Sharable
final class AcceptPause extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AcceptPause.class);
    /** How long a listening socket stops accepting after an accept failed for lack of descriptors. */
    static final long PAUSE_MILLIS = 50;
    private static final RateLimitedLog NODE_LOG = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(1));

    private final ServiceHandle handle;
    private final DescriptorBudget budget;

    AcceptPause(ServiceHandle handle, DescriptorBudget budget) {
        this.handle = handle;
        this.budget = budget;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!outOfDescriptors(cause)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        budget.onAcceptFailure();
        handle.metrics().onFailure(FailureReason.DESCRIPTOR_LIMIT);
        NODE_LOG.warn("event=accept_failed service={} reason=descriptor_limit pause_ms=" + PAUSE_MILLIS
                + " suppressed={}", handle.key());
        ChannelConfig config = ctx.channel().config();
        if (config.isAutoRead()) {
            config.setAutoRead(false);
            ctx.channel().eventLoop().schedule(() -> {
                if (ctx.channel().isOpen()) {
                    config.setAutoRead(true);
                }
            }, PAUSE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * EMFILE ("Too many open files") or ENFILE ("Too many open files in system"): the text is what both Netty's
     * native transports and the JDK's NIO report, so the check holds for every transport.
     */
    static boolean outOfDescriptors(Throwable cause) {
        return cause instanceof IOException && cause.getMessage() != null
                && cause.getMessage().contains("Too many open files");
    }
}
