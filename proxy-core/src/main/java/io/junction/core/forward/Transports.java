package io.junction.core.forward;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * The one place that chooses between Netty's native epoll transport and NIO. Epoll is used whenever the native
 * library loads (Linux x86_64); otherwise NIO, with a single warning line naming the reason. Setting the system
 * property {@code junction.transport=nio} forces NIO (for comparison benchmarks).
 *
 * <p>Thread-safe: the choice is made once, in the static initializer.
 */
public final class Transports {
    private static final Logger log = LoggerFactory.getLogger(Transports.class);
    private static final boolean EPOLL;
    private static final ChannelFactory<EpollSocketChannel> EPOLL_IPV4_SOCKETS =
            () -> new EpollSocketChannel(SocketProtocolFamily.INET);
    private static final ChannelFactory<EpollSocketChannel> EPOLL_SOCKETS = EpollSocketChannel::new;
    private static final ChannelFactory<NioSocketChannel> NIO_SOCKETS = NioSocketChannel::new;

    static {
        boolean forceNio = "nio".equalsIgnoreCase(System.getProperty("junction.transport", ""));
        EPOLL = !forceNio && Epoll.isAvailable();
        if (!EPOLL) {
            log.warn("transport=nio reason=\"{}\"", forceNio
                    ? "forced by -Djunction.transport=nio"
                    : "native epoll unavailable: " + Epoll.unavailabilityCause());
        }
    }

    private Transports() {
    }

    /** Whether the native epoll transport is in use. */
    public static boolean epoll() {
        return EPOLL;
    }

    public static String name() {
        return EPOLL ? "epoll" : "nio";
    }

    public static IoHandlerFactory ioHandlerFactory() {
        // Epoll handlers batch interest changes and carry a workaround for a Netty 4.2.18 bug; see BatchingEpollIoHandler.
        return EPOLL ? BatchingEpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** An event-loop group of {@code threads} threads (0 = Netty's default of 2 × cores) named {@code name-N}. */
    public static EventLoopGroup newEventLoopGroup(int threads, String name) {
        return newEventLoopGroup(threads, name, 0);
    }

    /**
     * As {@link #newEventLoopGroup(int, String)}, with loops that yield the core after a busy turn at most once per
     * {@code yieldIntervalNanos} (0 = never); see {@link YieldingIoHandler}.
     */
    public static EventLoopGroup newEventLoopGroup(int threads, String name, long yieldIntervalNanos) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true),
                YieldingIoHandler.wrap(ioHandlerFactory(), yieldIntervalNanos));
    }

    public static Class<? extends ServerChannel> serverSocketChannel() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /**
     * Makes a listening socket for {@code local}, as {@link #socketChannelFactory} does for connections: with epoll an
     * IPv4 address gets an IPv4 socket (so accepted connections carry plain IPv4 addresses, and IPv4 only is what
     * binding an IPv4 address means either way). {@code onCreate} runs on each new socket before it is bound.
     */
    public static ChannelFactory<? extends ServerChannel> serverSocketChannelFactory(
            InetSocketAddress local, Consumer<ServerChannel> onCreate) {
        if (!EPOLL) {
            return () -> {
                NioServerSocketChannel ch = new NioServerSocketChannel();
                onCreate.accept(ch);
                return ch;
            };
        }
        SocketProtocolFamily family = local.getAddress() instanceof Inet4Address
                ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
        return () -> {
            EpollServerSocketChannel ch = new EpollServerSocketChannel(family);
            onCreate.accept(ch);
            return ch;
        };
    }

    public static Class<? extends SocketChannel> socketChannel() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /**
     * Makes the socket for a connection to {@code remote}. With epoll an IPv4 peer gets an IPv4 socket: Netty's
     * default is a dual-stack IPv6 socket, which costs an extra {@code setsockopt(IPV6_V6ONLY)} per connection and
     * carries IPv4-mapped addresses around.
     */
    public static ChannelFactory<? extends SocketChannel> socketChannelFactory(InetSocketAddress remote) {
        if (EPOLL && remote.getAddress() instanceof Inet4Address) {
            return EPOLL_IPV4_SOCKETS;
        }
        return EPOLL ? EPOLL_SOCKETS : NIO_SOCKETS;
    }

    public static Class<? extends DatagramChannel> datagramChannel() {
        return EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }
}
