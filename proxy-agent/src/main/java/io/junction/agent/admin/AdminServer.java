package io.junction.agent.admin;

import io.junction.core.forward.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The admin HTTP server (health, readiness, Prometheus metrics, status JSON and page). It runs on its own
 * single-thread event loop so that a proxy saturated with traffic still answers health checks. Read-only: nothing
 * here changes the proxy's state.
 *
 * <p>Thread-safe.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    /** Admin requests are tiny; anything bigger is refused by the aggregator with 413. */
    private static final int MAX_REQUEST_BYTES = 64 * 1024;

    private final EventLoopGroup group;
    private final Channel channel;
    private final AdminRoutes routes;

    private AdminServer(EventLoopGroup group, Channel channel, AdminRoutes routes) {
        this.group = group;
        this.channel = channel;
        this.routes = routes;
    }

    public static AdminServer start(InetSocketAddress address, AdminRoutes routes) {
        EventLoopGroup group = Transports.newEventLoopGroup(1, "junction-admin");
        try {
            Channel ch = new ServerBootstrap()
                    .group(group)
                    .channel(Transports.serverSocketChannel())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(
                                    new ReadTimeoutHandler(30, TimeUnit.SECONDS),
                                    new HttpServerCodec(),
                                    new HttpServerKeepAliveHandler(),
                                    new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                    new AdminHandler(routes));
                        }
                    })
                    .bind(address).syncUninterruptibly().channel();
            log.info("admin=listening address={}", ch.localAddress());
            return new AdminServer(group, ch, routes);
        } catch (Exception e) { // Netty rethrows the checked BindException from syncUninterruptibly()
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new UncheckedIOException("admin: cannot bind " + address + ": " + e.getMessage(),
                    e instanceof java.io.IOException io ? io : new java.io.IOException(e));
        }
    }

    /** What the server answers; a registry source attaches its view here ({@link AdminRoutes#registryView}). */
    public AdminRoutes routes() {
        return routes;
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
