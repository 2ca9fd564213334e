package io.junction.agent.registry.http;

import io.junction.agent.registry.api.ApiRequest;
import io.junction.agent.registry.api.ApiResponse;
import io.junction.agent.registry.api.RegistryApi;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;

/**
 * Turns one aggregated HTTP request into an {@link ApiRequest}, hands it to the {@link RegistryApi} and writes the
 * answer with Consul's headers ({@code X-Consul-Index}, {@code X-Consul-KnownLeader},
 * {@code X-Consul-LastContact}). While a blocking read is parked the connection reads nothing more (so answers
 * cannot overtake each other); a client that goes away drops its parked read.
 *
 * <p>Event-loop confined, one per connection; runs on the registry's loop, which owns the store.
 */
final class RegistryHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(RegistryHttpHandler.class);

    private final RegistryApi api;
    private Runnable parked;

    RegistryHttpHandler(RegistryApi api) {
        this.api = api;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess()) {
            write(ctx, ApiResponse.text(400, "Bad request\n"), false);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String token = request.headers().get("X-Consul-Token");
        String auth = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if ((token == null || token.isEmpty()) && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = auth.substring(7).trim();
        }
        if ((token == null || token.isEmpty()) && uri.parameters().containsKey("token")) {
            var values = uri.parameters().get("token");
            token = values.isEmpty() ? null : values.get(0);
        }
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        ApiRequest r = new ApiRequest(request.method().name(), uri.path(), uri.parameters(), token,
                ByteBufUtil.getBytes(request.content()), peer.getAddress());
        boolean[] answered = {false};
        Runnable handle;
        try {
            handle = api.handle(r, response -> {
                answered[0] = true;
                parked = null;
                if (!ctx.channel().config().isAutoRead()) {
                    ctx.channel().config().setAutoRead(true);
                }
                write(ctx, response, keepAlive);
            });
        } catch (RuntimeException e) {
            log.warn("registry path={} failed", uri.path(), e);
            write(ctx, ApiResponse.text(500, "internal error: " + e.getMessage() + "\n"), false);
            return;
        }
        if (!answered[0] && handle != null) {
            parked = handle;
            ctx.channel().config().setAutoRead(false);
        }
    }

    private static void write(ChannelHandlerContext ctx, ApiResponse r, boolean keepAlive) {
        if (!ctx.channel().isActive()) {
            return;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(r.status()), Unpooled.wrappedBuffer(r.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        if (r.index() > 0) {
            response.headers().set("X-Consul-Index", Long.toString(r.index()));
            response.headers().set("X-Consul-KnownLeader", "true");
            response.headers().set("X-Consul-LastContact", "0");
        }
        if (r.status() == 405) {
            response.headers().set(HttpHeaderNames.ALLOW, r.bodyText().contains("PUT") ? "PUT" : "GET");
        }
        HttpUtil.setContentLength(response, r.body().length);
        HttpUtil.setKeepAlive(response, keepAlive);
        var f = ctx.writeAndFlush(response);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (parked != null) {
            parked.run();
            parked = null;
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (log.isDebugEnabled()) {
            log.debug("registry connection error: {}", cause.toString());
        }
        ctx.close();
    }
}
