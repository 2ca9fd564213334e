package io.junction.core.testing;

import io.junction.core.forward.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend that expects every connection to start with a PROXY protocol header, decodes it with Netty's decoder,
 * records what it said, then echoes every byte after it. A connection whose header does not decode is closed and
 * recorded as {@link #malformed()}.
 *
 * <p>Thread-safe.
 */
public final class ProxyHeaderBackend implements AutoCloseable {
    private static final EventLoopGroup GROUP = Transports.newEventLoopGroup(1, "test-proxy-header-backend");

    /** What one header said. */
    public record Header(HAProxyProtocolVersion version, HAProxyCommand command, HAProxyProxiedProtocol protocol,
                         String sourceAddress, int sourcePort, String destinationAddress, int destinationPort) {
    }

    private final BlockingQueue<Header> headers = new LinkedBlockingQueue<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger malformed = new AtomicInteger();
    private final ChannelGroup channels = new DefaultChannelGroup("proxy-header", GlobalEventExecutor.INSTANCE);
    private final Channel serverChannel;

    /** @param host the loopback address to listen on ({@code 127.0.0.1} or {@code ::1}), port 0 */
    public ProxyHeaderBackend(String host) {
        serverChannel = new ServerBootstrap()
                .group(GROUP)
                .channel(Transports.serverSocketChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.incrementAndGet();
                        channels.add(ch);
                        ch.pipeline().addLast(new HAProxyMessageDecoder(), new Recorder());
                    }
                })
                .bind(new InetSocketAddress(host, 0))
                .syncUninterruptibly()
                .channel();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The next header received, waiting up to {@code within}; fails if none came. */
    public Header next(Duration within) throws InterruptedException {
        Header h = headers.poll(within.toMillis(), TimeUnit.MILLISECONDS);
        if (h == null) {
            throw new AssertionError("no PROXY protocol header within " + within);
        }
        return h;
    }

    /** Headers received and not taken by {@link #next}. */
    public int pending() {
        return headers.size();
    }

    public int accepted() {
        return accepted.get();
    }

    /** Connections whose header did not decode. */
    public int malformed() {
        return malformed.get();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private final class Recorder extends ChannelInboundHandlerAdapter {
        /** Netty's decoder can report one bad header twice (when it fails, and again as the channel closes). */
        private boolean failed;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HAProxyMessage m) {
                headers.add(new Header(m.protocolVersion(), m.command(), m.proxiedProtocol(), m.sourceAddress(),
                        m.sourcePort(), m.destinationAddress(), m.destinationPort()));
                m.release();
                return;
            }
            ctx.writeAndFlush(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof DecoderException && !failed) {
                malformed.incrementAndGet();
            }
            failed = true;
            ctx.close();
        }
    }
}
