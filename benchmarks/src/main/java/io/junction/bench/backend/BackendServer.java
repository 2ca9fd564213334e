package io.junction.bench.backend;

import io.junction.core.forward.Transports;
import io.junction.core.model.Protocol;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A running built-in backend bound to 127.0.0.1. Thread-safe: {@link #start} and {@link #close} may be called from
 * any thread; the handlers run on the given event-loop group.
 */
public final class BackendServer implements AutoCloseable {
    /** Size of the chunk the stream backend writes; large enough that per-write overhead stays small. */
    public static final int STREAM_CHUNK = 64 * 1024;
    private static final int HTTP_BODY = 128;

    private final BackendKind kind;
    private final Channel channel;
    private final ByteBuf shared;

    private BackendServer(BackendKind kind, Channel channel, ByteBuf shared) {
        this.kind = kind;
        this.channel = channel;
        this.shared = shared;
    }

    /**
     * Binds a backend on 127.0.0.1.
     *
     * @param port 0 for an ephemeral port
     */
    public static BackendServer start(BackendKind kind, int port, EventLoopGroup group) throws InterruptedException {
        return start(kind, port, group, BackendSizes.DEFAULT);
    }

    /**
     * Binds a backend on 127.0.0.1.
     *
     * @param port  0 for an ephemeral port
     * @param sizes request and response sizes of {@code raw-close} and {@code http-close} (ignored by the others)
     */
    public static BackendServer start(BackendKind kind, int port, EventLoopGroup group, BackendSizes sizes)
            throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
        }
        InetSocketAddress bindTo = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        ByteBuf shared = sharedBuffer(kind, sizes);
        if (kind.protocol() == Protocol.UDP) {
            Channel ch = new Bootstrap().group(group).channel(Transports.datagramChannel())
                    .option(ChannelOption.SO_RCVBUF, 4 << 20).option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .handler(UdpEchoHandler.INSTANCE)
                    .bind(bindTo).sync().channel();
            return new BackendServer(kind, ch, shared);
        }
        Channel ch = new ServerBootstrap().group(group).channel(Transports.serverSocketChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(handlerFor(kind, shared, sizes));
                    }
                })
                .bind(bindTo).sync().channel();
        return new BackendServer(kind, ch, shared);
    }

    private static ByteBuf sharedBuffer(BackendKind kind, BackendSizes sizes) {
        return switch (kind) {
            case STREAM -> Unpooled.directBuffer(STREAM_CHUNK).writeZero(STREAM_CHUNK);
            case HTTP -> {
                byte[] r = httpResponse(HTTP_BODY, "Content-Type: text/plain", "Content-Length: " + HTTP_BODY);
                yield Unpooled.directBuffer(r.length).writeBytes(r);
            }
            case HTTP_CLOSE -> {
                int body = sizes.responseBytes();
                byte[] r = httpResponse(body, "Content-Length: " + body, "Connection: close");
                yield Unpooled.directBuffer(r.length).writeBytes(r);
            }
            case RAW_CLOSE -> Unpooled.directBuffer(sizes.responseBytes()).writeZero(sizes.responseBytes());
            default -> null;
        };
    }

    /** {@code HTTP/1.1 200 OK}, the header lines (given without CRLF) and a body of {@code bodyBytes} 'x's. */
    static byte[] httpResponse(int bodyBytes, String... headerLines) {
        StringBuilder r = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (String h : headerLines) {
            r.append(h).append("\r\n");
        }
        r.append("\r\n").append("x".repeat(bodyBytes));
        return r.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static ChannelHandler handlerFor(BackendKind kind, ByteBuf shared, BackendSizes sizes) {
        return switch (kind) {
            case SINK -> SinkHandler.INSTANCE;
            case ECHO -> EchoHandler.INSTANCE;
            case STREAM -> new StreamHandler(shared);
            case HTTP -> new HttpResponderHandler(shared);
            case HTTP_CLOSE -> new HttpResponderHandler(shared, true);
            case RAW_CLOSE -> new RawCloseHandler(shared, sizes.requestBytes());
            case UDP_ECHO -> throw new IllegalStateException("udp-echo has no TCP handler");
        };
    }

    public BackendKind kind() {
        return kind;
    }

    /** The bound address (127.0.0.1 and the real port). */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /**
     * Closes the listening socket and waits for it; accepted connections close with the event-loop group. The
     * shared buffer is freed once the last in-flight write of it completes (handlers write retained duplicates).
     */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        if (shared != null) {
            shared.release();
        }
    }
}
