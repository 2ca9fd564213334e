package io.junction.core.forward.udp;

import io.junction.core.clock.NanoClock;
import io.junction.core.forward.EventLoops;
import io.junction.core.forward.Transports;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceSpec;
import io.junction.core.state.ListenerFactory;
import io.junction.core.state.ServiceHandle;
import io.junction.core.state.ServiceListener;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Binds UDP services. With epoll, one socket per worker event loop is bound to the service address with
 * {@code SO_REUSEPORT}; the kernel spreads clients over them by a hash of the 4-tuple, so a client always reaches the
 * same socket and each socket's session table stays confined to one loop (no locks, all cores used). With NIO, which
 * has no {@code SO_REUSEPORT}, one socket on one worker loop serves the service: correct, but one core's worth of
 * throughput.
 *
 * <p>When the spec asks for port 0, the first socket gets an ephemeral port and the others bind to that port.
 *
 * <p>The kernel's drop count of each listening socket (datagrams discarded because its receive buffer was full) is
 * read from {@code /proc} when metrics are scraped ({@link ListenerDrops}); with NIO it is not exposed and counts 0.
 *
 * <p>The service's {@link io.junction.core.model.UdpSettings} are read once, when binding: the receive buffers are
 * sized for {@code maxDatagramSize}; a change of UDP settings takes a rebind.
 *
 * <p><b>Idle timeout trade-off.</b> UDP has no end-of-session signal, so a session (its table slot, its backend
 * socket and its pinning) lives until {@code sessionIdleTimeout} passes without a datagram in either direction. The
 * default, 30 s, equals Linux conntrack's {@code nf_conntrack_udp_timeout} (Envoy's udp_proxy uses 60 s): long enough
 * for protocols with pauses (QUIC, game and VoIP flows, periodic telemetry) to keep their session and backend. kube-proxy's userspace mode used 250 ms, tuned for DNS, where every query is a one-shot
 * exchange: a short timeout frees slots and sockets almost at once, so a flood of one-packet clients costs little,
 * but a client that pauses longer than the timeout gets a new session and possibly another backend. Services with
 * DNS-like traffic and many clients should lower it; the session cap bounds the cost either way.
 *
 * <p>Thread-safe; {@link #bind} blocks briefly and is meant for the control thread.
 */
public final class UdpListenerFactory implements ListenerFactory {
    private static final Logger log = LoggerFactory.getLogger(UdpListenerFactory.class);

    private final EventLoops loops;
    private final NanoClock clock;
    private final ChannelFactory<? extends DatagramChannel> channels;

    public UdpListenerFactory(EventLoops loops) {
        this(loops, NanoClock.COARSE);
    }

    /** @param clock what sessions measure their idle time with ({@link NanoClock#COARSE} outside tests) */
    public UdpListenerFactory(EventLoops loops, NanoClock clock) {
        this.loops = Objects.requireNonNull(loops, "loops");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.channels = new ReflectiveChannelFactory<>(Transports.datagramChannel());
    }

    @Override
    public ServiceListener bind(ServiceHandle handle) {
        ServiceSpec spec = handle.current().spec();
        if (spec.protocol() != Protocol.UDP) {
            throw new IllegalArgumentException("handle: " + handle.key() + " (expected: protocol udp)");
        }
        List<EventLoop> targets = loops.listenerLoops();
        AtomicInteger sessions = new AtomicInteger();
        List<UdpSessionTable> tables = new ArrayList<>(targets.size());
        InetSocketAddress address = spec.listen();
        try {
            for (EventLoop loop : targets) {
                UdpSessionTable table = bindOne(handle, loop, address, sessions, targets.size() > 1);
                tables.add(table);
                if (address.getPort() == 0) {
                    // The other sockets must share the port the kernel chose for the first one.
                    InetSocketAddress bound = table.channel().localAddress();
                    address = new InetSocketAddress(spec.listen().getAddress(), bound.getPort());
                }
            }
        } catch (RuntimeException e) {
            for (UdpSessionTable table : tables) {
                table.channel().close().awaitUninterruptibly();
            }
            throw e;
        }
        List<DatagramChannel> bound = tables.stream().map(UdpSessionTable::channel).toList();
        ListenerDrops drops = ListenerDrops.of(ProcNetUdp.SYSTEM, bound);
        log.info("udp listener bound service={} local={} sockets={} transport={} maxSessions={} idleTimeout={} "
                        + "maxDatagramSize={} receiveDropsCounted={}", handle.key(), address, tables.size(),
                Transports.name(), spec.udp().maxSessions(), spec.udp().sessionIdleTimeout(),
                spec.udp().maxDatagramSize(), drops.sockets() == tables.size());
        return new UdpServiceListener(handle, address, tables, sessions, drops);
    }

    private UdpSessionTable bindOne(ServiceHandle handle, EventLoop loop, InetSocketAddress address,
                                    AtomicInteger sessions, boolean reusePort) {
        DatagramChannel ch = channels.newChannel();
        if (reusePort) {
            ch.config().setOption(EpollChannelOption.SO_REUSEPORT, true);
        }
        UdpReceiveSizing.apply(ch.config(), handle.current().spec().udp().maxDatagramSize());
        UdpSessionTable table = new UdpSessionTable(ch, handle, sessions, channels, clock);
        ch.pipeline().addLast(new UdpFrontendHandler(table));
        ChannelFuture registered = loop.register(ch).awaitUninterruptibly();
        if (!registered.isSuccess()) {
            ch.unsafe().closeForcibly();
            throw bindFailure(handle, address, registered.cause());
        }
        ChannelFuture bound = ch.bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            ch.close().awaitUninterruptibly();
            throw bindFailure(handle, address, bound.cause());
        }
        return table;
    }

    private static UncheckedIOException bindFailure(ServiceHandle handle, InetSocketAddress address, Throwable cause) {
        IOException io = cause instanceof IOException e ? e : new IOException(cause);
        return new UncheckedIOException("udp bind failed service=" + handle.key() + " address=" + address, io);
    }
}
