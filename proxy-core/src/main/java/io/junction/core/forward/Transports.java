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
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * The one place that chooses Netty's transport. Epoll is used whenever its native library loads (Linux x86_64);
 * otherwise NIO, with a single warning line naming the reason. The system property {@code junction.transport}
 * overrides the choice: {@code nio} forces NIO (for comparison benchmarks), {@code io_uring} selects Netty's io_uring
 * transport, which makes fewer system calls per connection (it submits them in batches through the ring) but has no
 * splice. When io_uring is asked for but not available, epoll is used and the reason is logged.
 *
 * <p>With io_uring, Netty's multishot {@code POLL_ADD} is turned off (system property
 * {@code io.netty.iouring.pollAddMultishotEnabled=false}, unless set explicitly): with it on, Netty 4.2.18 loses a
 * client's reset that arrives right behind data, and the backend leg then stays open until its own peer gives up.
 *
 * <p>With epoll, interest changes are batched per loop turn ({@link BatchingEpollIoHandler}); the system property
 * {@code junction.epoll.batching=false} turns that off, keeping only its workaround of a Netty bug.
 *
 * <p>Thread-safe: the choice is made once, in the static initializer.
 */
public final class Transports {
    private static final Logger log = LoggerFactory.getLogger(Transports.class);
    private static final String POLL_ADD_MULTISHOT = "io.netty.iouring.pollAddMultishotEnabled";
    static final String EPOLL_BATCHING_PROPERTY = "junction.epoll.batching";
    private static final boolean EPOLL;
    private static final boolean URING;
    private static final boolean EPOLL_BATCHING;
    private static final ChannelFactory<EpollSocketChannel> EPOLL_IPV4_SOCKETS =
            () -> new EpollSocketChannel(SocketProtocolFamily.INET);
    private static final ChannelFactory<EpollSocketChannel> EPOLL_SOCKETS = EpollSocketChannel::new;
    private static final ChannelFactory<IoUringSocketChannel> URING_SOCKETS = IoUringSocketChannel::new;
    private static final ChannelFactory<NioSocketChannel> NIO_SOCKETS = NioSocketChannel::new;

    static {
        String wanted = System.getProperty("junction.transport", "");
        boolean forceNio = "nio".equalsIgnoreCase(wanted);
        boolean wantUring = "io_uring".equalsIgnoreCase(wanted);
        if (wantUring && System.getProperty(POLL_ADD_MULTISHOT) == null) {
            System.setProperty(POLL_ADD_MULTISHOT, "false");
        }
        URING = wantUring && IoUring.isAvailable();
        EPOLL = !forceNio && !URING && Epoll.isAvailable();
        if (!wanted.isEmpty() && !forceNio && !wantUring && !"epoll".equalsIgnoreCase(wanted)
                && !"auto".equalsIgnoreCase(wanted)) {
            log.warn("junction.transport={} is unknown (expected: epoll, io_uring or nio); using {}", wanted,
                    EPOLL ? "epoll" : "nio");
        }
        if (URING) {
            // Opt-in until the stall is understood: docs/performance.md, "io_uring".
            log.warn("transport=io_uring note=\"opt-in: a bulk transfer has been seen to stall on io_uring in rare "
                    + "cases (a few times in several hundred runs of a 2 x 100 MiB test); epoll is the default\"");
        }
        if (wantUring && !URING) {
            log.warn("transport={} reason=\"io_uring unavailable: {}\"", EPOLL ? "epoll" : "nio",
                    IoUring.unavailabilityCause());
        }
        if (!EPOLL && !URING) {
            log.warn("transport=nio reason=\"{}\"", forceNio
                    ? "forced by -Djunction.transport=nio"
                    : "native epoll unavailable: " + Epoll.unavailabilityCause());
        }
        EPOLL_BATCHING = epollBatching(System.getProperties());
        if (EPOLL && !EPOLL_BATCHING) {
            log.info("transport=epoll batching=off reason=\"-D{}=false\"", EPOLL_BATCHING_PROPERTY);
        }
    }

    private Transports() {
    }

    /** Whether the native epoll transport is in use. */
    public static boolean epoll() {
        return EPOLL;
    }

    /** Whether Netty's io_uring transport is in use ({@code -Djunction.transport=io_uring}). */
    public static boolean ioUring() {
        return URING;
    }

    public static String name() {
        return EPOLL ? "epoll" : URING ? "io_uring" : "nio";
    }

    /**
     * Whether a native transport (epoll or io_uring) is in use: listeners then bind one {@code SO_REUSEPORT} socket
     * per worker loop instead of one socket handing connections to the workers (NIO), and options can be set on the
     * fds directly.
     */
    public static boolean isNative() {
        return EPOLL || URING;
    }

    public static IoHandlerFactory ioHandlerFactory() {
        if (URING) {
            return IoUringIoHandler.newFactory();
        }
        // Epoll handlers batch interest changes (unless switched off) and carry a workaround for a Netty 4.2.18 bug;
        // see BatchingEpollIoHandler.
        return EPOLL ? epollIoHandlerFactory(EPOLL_BATCHING) : NioIoHandler.newFactory();
    }

    /** Whether epoll interest changes are batched: unless {@code junction.epoll.batching} is {@code false}. */
    static boolean epollBatching(Properties properties) {
        return !"false".equalsIgnoreCase(properties.getProperty(EPOLL_BATCHING_PROPERTY, "true").trim());
    }

    static IoHandlerFactory epollIoHandlerFactory(boolean batching) {
        return BatchingEpollIoHandler.newFactory(batching);
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
        if (URING) {
            return IoUringServerSocketChannel.class;
        }
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /**
     * Makes a listening socket for {@code local}, as {@link #socketChannelFactory} does for connections: with epoll an
     * IPv4 address gets an IPv4 socket (so accepted connections carry plain IPv4 addresses, and IPv4 only is what
     * binding an IPv4 address means either way). {@code onCreate} runs on each new socket before it is bound.
     */
    public static ChannelFactory<? extends ServerChannel> serverSocketChannelFactory(
            InetSocketAddress local, Consumer<ServerChannel> onCreate) {
        if (URING) {
            return () -> {
                IoUringServerSocketChannel ch = new IoUringServerSocketChannel();
                onCreate.accept(ch);
                return ch;
            };
        }
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
        if (URING) {
            return IoUringSocketChannel.class;
        }
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /**
     * Makes the socket for a connection to {@code remote}. With epoll an IPv4 peer gets an IPv4 socket: Netty's
     * default is a dual-stack IPv6 socket, which costs an extra {@code setsockopt(IPV6_V6ONLY)} per connection and
     * carries IPv4-mapped addresses around.
     */
    public static ChannelFactory<? extends SocketChannel> socketChannelFactory(InetSocketAddress remote) {
        if (URING) {
            return URING_SOCKETS;
        }
        if (EPOLL && remote.getAddress() instanceof Inet4Address) {
            return EPOLL_IPV4_SOCKETS;
        }
        return EPOLL ? EPOLL_SOCKETS : NIO_SOCKETS;
    }

    public static Class<? extends DatagramChannel> datagramChannel() {
        if (URING) {
            return IoUringDatagramChannel.class;
        }
        return EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }
}
