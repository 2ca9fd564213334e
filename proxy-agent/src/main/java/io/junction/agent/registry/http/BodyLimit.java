package io.junction.agent.registry.http;

import io.junction.agent.registry.api.Refusal;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

import java.util.function.Consumer;

/**
 * Netty's aggregator with the registry's body limit: a body without a {@code Content-Length} that grows past the
 * limit is answered 413 (by Netty, which then closes the connection) and counted as {@code too_large}.
 *
 * <p>Event-loop confined, one per connection.
 */
final class BodyLimit extends HttpObjectAggregator {
    private final Consumer<Refusal> refused;

    BodyLimit(int maxBody, Consumer<Refusal> refused) {
        super(maxBody);
        this.refused = refused;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        refused.accept(Refusal.TOO_LARGE);
        super.handleOversizedMessage(ctx, oversized);
    }
}
