package io.junction.agent.registry.http;

import io.junction.agent.registry.api.RegistryApi;
import io.junction.agent.registry.api.Refusal;
import io.junction.core.forward.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;

import java.net.InetSocketAddress;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The registry's HTTP listener: Netty's HTTP codec, the {@link RequestGate} (rate limit, declared body size), the
 * aggregator with the body limit, then the {@link RegistryHttpHandler}. Accept and every connection run on the one
 * registry loop, which owns the store, so no request needs a thread hand-over.
 *
 * <p>Thread-safe.
 */
public final class RegistryServer implements AutoCloseable {
    private static final int MAX_INITIAL_LINE = 8192;
    private static final int MAX_HEADERS = 16 * 1024;

    private final Channel channel;

    private RegistryServer(Channel channel) {
        this.channel = channel;
    }

    /**
     * Binds {@code address} on {@code loop} without waiting (it may be called on the loop itself); {@code done}
     * runs on the loop with the server, or with null and the failure.
     */
    public static void start(InetSocketAddress address, EventLoop loop, RegistryApi api, int maxBody,
                             int requestsPerSecond, int burst, Consumer<Refusal> refused,
                             BiConsumer<RegistryServer, Throwable> done) {
        ClientRateLimits limits = new ClientRateLimits(requestsPerSecond, burst);
        ChannelFuture bound = new ServerBootstrap()
                .group(loop)
                .channel(Transports.serverSocketChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        // The gate sits before the keep-alive handler, so that its answers do not pass through
                        // it: that handler closes the channel after any non-keep-alive answer, and a close with
                        // a refused body unread resets the connection under a client still sending it.
                        c.pipeline().addLast(
                                new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADERS, 64 * 1024),
                                new RequestGate(limits, maxBody, refused),
                                new HttpServerKeepAliveHandler(),
                                new BodyLimit(maxBody, refused),
                                new RegistryHttpHandler(api));
                    }
                })
                .bind(address);
        bound.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                done.accept(new RegistryServer(f.channel()), null);
            } else {
                done.accept(null, f.cause());
            }
        });
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Closes the listener; returns at once (the caller may be on the loop). */
    @Override
    public void close() {
        channel.close();
    }
}
