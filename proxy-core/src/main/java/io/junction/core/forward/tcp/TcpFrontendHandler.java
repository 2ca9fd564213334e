package io.junction.core.forward.tcp;

import io.junction.core.lb.PickContext;
import io.junction.core.lb.Picker;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.util.ReferenceCountUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Client side of a proxied connection: starts the backend connect when the client connection becomes active and
 * hands client events (bytes, EOF, writability, errors) to the {@link TcpConnection}. Bytes are passed on as
 * the same {@link ByteBuf}, never copied.
 *
 * <p>Event-loop confined (one instance per client channel).
 */
final class TcpFrontendHandler extends ChannelInboundHandlerAdapter {
    private final TcpConnection connection;
    private final Picker firstPicker;

    TcpFrontendHandler(TcpConnection connection, Picker firstPicker) {
        this.connection = connection;
        this.firstPicker = firstPicker;
    }

    TcpConnection connection() {
        return connection;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        connect(remote == null ? null : remote.getAddress());
    }

    /**
     * Starts the backend connect for client {@code clientAddress}: at once when the connection becomes active, or
     * once its PROXY protocol header named the client ({@link ProxyHeaderHandler}, which this handler replaced).
     */
    void connect(InetAddress clientAddress) {
        new ConnectAttempt(connection, new PickContext(clientAddress)).start(firstPicker);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            connection.onClientRead(buf);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.onClientReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        connection.onClientWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent || evt instanceof ChannelInputShutdownReadComplete) {
            connection.onClientInputShutdown();
        } else {
            ReferenceCountUtil.release(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (PausableReadSizing.isPause(cause)) {
            return;
        }
        connection.teardown().onFailure(ctx.channel(), cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.teardown().onInactive(ctx.channel());
    }
}
