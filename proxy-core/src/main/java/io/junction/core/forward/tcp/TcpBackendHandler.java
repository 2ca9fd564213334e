package io.junction.core.forward.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.util.ReferenceCountUtil;

/**
 * Backend side of a proxied connection: hands backend events (bytes, EOF, writability, errors, close) to the
 * {@link TcpConnection}, which relays them to the client.
 *
 * <p>Event-loop confined (one instance per backend channel, on the client channel's loop).
 */
final class TcpBackendHandler extends ChannelInboundHandlerAdapter {
    private final TcpConnection connection;

    TcpBackendHandler(TcpConnection connection) {
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            connection.onBackendRead(buf);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.onBackendReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (isRelaying(ctx)) {
            connection.onBackendWritabilityChanged();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent || evt instanceof ChannelInputShutdownReadComplete) {
            connection.onBackendInputShutdown();
        } else {
            ReferenceCountUtil.release(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (isRelaying(ctx) && !PausableReadSizing.isPause(cause)) {
            connection.teardown().onFailure(ctx.channel(), cause);
        }
        // Before the connect completes, failures arrive through the connect future (ConnectAttempt).
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (isRelaying(ctx)) {
            connection.teardown().onInactive(ctx.channel());
        }
    }

    /** Whether this channel is the connection's backend (a channel whose connect failed or came too late is not). */
    private boolean isRelaying(ChannelHandlerContext ctx) {
        return connection.isBackend(ctx.channel());
    }
}
