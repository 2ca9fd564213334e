package io.junction.agent.registry.http;

import io.junction.agent.registry.api.Refusal;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Refuses a request before its body is read: 429 when the client's IP is over its rate, 413 when its
 * {@code Content-Length} is over the body limit (the answer is followed by a FIN, the body is dropped until the
 * client closes, for at most {@link #LINGER_MILLIS}, then the connection is closed). A refused
 * request's body parts are dropped as they arrive; nothing of it is buffered. Bodies without a length (chunked) are
 * capped by the aggregator behind this handler. Its answers must not pass through {@code HttpServerKeepAliveHandler},
 * which would close the channel after a 413 (see {@link RegistryServer}).
 *
 * <p>Event-loop confined, one per connection (the rate limits it consults are shared on the same loop).
 */
final class RequestGate extends ChannelInboundHandlerAdapter {
    /** How long a refused upload may go on being dropped before the connection is closed anyway. */
    static final long LINGER_MILLIS = 2_000;

    private final ClientRateLimits limits;
    private final int maxBody;
    private final Consumer<Refusal> refused;
    private boolean dropping;

    RequestGate(ClientRateLimits limits, int maxBody, Consumer<Refusal> refused) {
        this.limits = limits;
        this.maxBody = maxBody;
        this.refused = refused;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            dropping = false;
            InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
            if (!limits.admit(peer.getAddress())) {
                refuse(ctx, msg, HttpResponseStatus.TOO_MANY_REQUESTS, Refusal.RATE_LIMITED,
                        "Too many requests from " + peer.getAddress().getHostAddress() + "\n", false);
                return;
            }
            if (HttpUtil.getContentLength(request, -1L) > maxBody) {
                refuse(ctx, msg, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Refusal.TOO_LARGE,
                        "Request body too large (limit " + maxBody + " bytes)\n", true);
                return;
            }
        } else if (dropping && msg instanceof HttpContent) {
            if (msg instanceof LastHttpContent) {
                dropping = false;
            }
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void refuse(ChannelHandlerContext ctx, Object msg, HttpResponseStatus status, Refusal reason,
                        String text, boolean close) {
        boolean last = msg instanceof LastHttpContent;
        boolean keepAlive = !close && HttpUtil.isKeepAlive((HttpRequest) msg);
        ReferenceCountUtil.release(msg);
        dropping = !last;
        refused.accept(reason);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        HttpUtil.setContentLength(response, response.content().readableBytes());
        HttpUtil.setKeepAlive(response, keepAlive);
        var f = ctx.writeAndFlush(response);
        if (close && !last && ctx.channel() instanceof DuplexChannel duplex) {
            // The body is still arriving: a close now, with its bytes unread, resets the connection, and a client
            // still sending loses the answer with it. Send the FIN after the answer, go on dropping the body, and
            // close when the client does, or after LINGER_MILLIS.
            f.addListener(done -> {
                duplex.shutdownOutput();
                ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            });
        } else if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
