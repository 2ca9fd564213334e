package io.junction.core.health;

import io.junction.core.model.HealthCheck;
import io.junction.core.model.HostPort;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;

import java.net.InetSocketAddress;

/**
 * An HTTP check: {@code GET path HTTP/1.1} with {@code Connection: close}; a response status within the check's
 * expected range passes. Only the status line and headers are waited for: the body, if any, is dropped as it comes
 * (the codec's buffers are released by {@link SimpleChannelInboundHandler}) and the connection is closed as soon as
 * the status is known. An error, a close before the response, or an unparseable response fails.
 *
 * <p>The close is an ordinary one (not a reset as in {@link TcpProbe}): the backend may still be writing its body,
 * and a reset would show up in its logs as an error for every probe.
 *
 * <p>Stateless; one response handler per attempt.
 */
final class HttpProbe implements Probe {
    static final HttpProbe INSTANCE = new HttpProbe();
    static final String USER_AGENT = "junction-health-check";

    private HttpProbe() {
    }

    @Override
    public void prepare(SocketChannel channel, ProbeAttempt attempt) {
        channel.pipeline().addLast(new HttpClientCodec(), new ResponseHandler(attempt));
    }

    @Override
    public void connected(SocketChannel channel, ProbeAttempt attempt) {
        ProbeTarget target = attempt.target();
        channel.writeAndFlush(request(target.check(), target.address())).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                attempt.fail(f.cause());
            }
        });
    }

    /** The probe's request to {@code address}: {@code Host} is the check's host, else the address itself. */
    static FullHttpRequest request(HealthCheck check, InetSocketAddress address) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, check.path(),
                Unpooled.EMPTY_BUFFER);
        request.headers()
                .set(HttpHeaderNames.HOST, check.host().isEmpty() ? HostPort.format(address) : check.host())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(HttpHeaderNames.USER_AGENT, USER_AGENT);
        return request;
    }

    /** Turns the first response head into the attempt's result. */
    private static final class ResponseHandler extends SimpleChannelInboundHandler<HttpObject> {
        private final ProbeAttempt attempt;

        ResponseHandler(ProbeAttempt attempt) {
            this.attempt = attempt;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (!(msg instanceof HttpResponse response)) {
                return; // body content after the verdict: released by the superclass
            }
            if (response.decoderResult().isFailure()) {
                attempt.fail("bad HTTP response: " + ProbeAttempt.describe(response.decoderResult().cause()));
                return;
            }
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return; // an interim answer (100 Continue, 103 Early Hints): the final one follows and decides
            }
            int status = response.status().code();
            if (attempt.target().check().passes(status)) {
                attempt.pass("HTTP " + status);
            } else {
                attempt.fail("HTTP " + status);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            attempt.fail("closed before the response");
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            attempt.fail(cause);
        }
    }
}
