package io.junction.agent;

import io.junction.core.forward.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Tiny HTTP backends for the quick start: each answers every request with {@code hello from backend 127.0.0.1:PORT},
 * so {@code curl} through the demo service shows the balancing. Thread-safe.
 */
final class DemoBackends implements AutoCloseable {
    private final EventLoopGroup group;
    private final List<Channel> channels;

    private DemoBackends(EventLoopGroup group, List<Channel> channels) {
        this.group = group;
        this.channels = channels;
    }

    static DemoBackends start(List<Integer> ports) {
        EventLoopGroup group = Transports.newEventLoopGroup(1, "demo-backend");
        List<Channel> channels = new ArrayList<>();
        for (int port : ports) {
            String body = "hello from backend 127.0.0.1:" + port + "\n";
            channels.add(new ServerBootstrap().group(group).channel(Transports.serverSocketChannel())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                    new Responder(body));
                        }
                    }).bind("127.0.0.1", port).syncUninterruptibly().channel());
        }
        return new DemoBackends(group, channels);
    }

    @Override
    public void close() {
        channels.forEach(Channel::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Answers every request with a fixed body. Event-loop confined. */
    private static final class Responder extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final byte[] body;

        Responder(String body) {
            this.body = body.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            HttpUtil.setContentLength(response, body.length);
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            var f = ctx.writeAndFlush(response);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
