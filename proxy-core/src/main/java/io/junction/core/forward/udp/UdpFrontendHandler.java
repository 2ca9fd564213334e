package io.junction.core.forward.udp;

import io.junction.core.metrics.FailureReason;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler of a listening UDP socket: drops oversize datagrams, hands the rest to the socket's session table, and
 * flushes backend channels once per read batch. Closing the socket closes all its sessions.
 *
 * <p>Event-loop confined: one instance per listening socket.
 */
final class UdpFrontendHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UdpFrontendHandler.class);

    private final UdpSessionTable table;
    private final int maxDatagramSize;

    UdpFrontendHandler(UdpSessionTable table) {
        this.table = table;
        this.maxDatagramSize = table.maxDatagramSize();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            // A datagram channel only reads DatagramPackets; anything else is a bug upstream, not traffic.
            ctx.fireChannelRead(msg);
            return;
        }
        if (UdpReceiveSizing.oversize(packet.content().readableBytes(), maxDatagramSize)) {
            packet.release();
            table.metrics().onFailure(FailureReason.OVERSIZE_DATAGRAM);
            return;
        }
        // The content's ownership moves to the table; the packet wrapper itself holds nothing else.
        table.onClientDatagram(packet.sender(), packet.content());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        table.flushQueued();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        table.closeAll();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Errors on an unconnected datagram socket concern one datagram (a failed send); the socket stays usable.
        if (table.warnAllowed()) {
            log.warn("udp listener error service={} local={} cause=\"{}\"", table.handle().key(),
                    ctx.channel().localAddress(), cause.toString());
        }
    }
}
