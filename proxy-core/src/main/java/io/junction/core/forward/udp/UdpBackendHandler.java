package io.junction.core.forward.udp;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.PortUnreachableException;
import java.nio.channels.ClosedChannelException;

/**
 * The handler of a session's datagram channel connected to its backend: relays replies to the client through the
 * listening socket and turns ICMP port unreachable into a re-pick on the session's next datagram.
 *
 * <p>Event-loop confined: one instance per backend channel, on the loop of the session that owns it.
 */
final class UdpBackendHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UdpBackendHandler.class);

    private final UdpSession session;

    UdpBackendHandler(UdpSession session) {
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DatagramPacket packet) {
            session.onBackendDatagram(ctx.channel(), packet);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Replies of one read batch go out to clients with one flush of the listening socket.
        session.flushClient();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.onBackendClosed(ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (isPortUnreachable(cause)) {
            // The backend host answered ICMP port unreachable: nothing listens there (any more).
            session.onBackendUnreachable(ctx.channel());
        } else if (!(cause instanceof ClosedChannelException) && log.isDebugEnabled()) {
            // A ClosedChannelException is a write that raced the channel's close during a re-pick: the datagram is
            // lost like any in-flight one and is not worth a line.
            log.debug("udp backend channel error local={} remote={} cause=\"{}\"", ctx.channel().localAddress(),
                    ctx.channel().remoteAddress(), cause.toString());
        }
    }

    /**
     * Reads report ICMP port unreachable as {@link PortUnreachableException} on both transports; a send on epoll that
     * meets the pending error reports it as a native {@code ECONNREFUSED} instead.
     */
    private static boolean isPortUnreachable(Throwable cause) {
        return cause instanceof PortUnreachableException
                || cause instanceof Errors.NativeIoException e && e.expectedErr() == Errors.ERROR_ECONNREFUSED_NEGATIVE;
    }
}
