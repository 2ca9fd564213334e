package io.junction.core.forward.udp;

import io.junction.core.state.ServiceHandle;
import io.junction.core.state.ServiceListener;
import io.netty.channel.socket.DatagramChannel;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The listening sockets of one UDP service: one per worker event loop with {@code SO_REUSEPORT} on epoll, a single
 * one with NIO. Unlike a TCP listener, closing it also ends every session, because replies can only go back to
 * clients through these sockets.
 *
 * <p>Thread-safe. {@link #close()} blocks and must be called from the control thread, never from an event loop.
 */
public final class UdpServiceListener implements ServiceListener {
    private static final Logger log = LoggerFactory.getLogger(UdpServiceListener.class);

    private final ServiceHandle handle;
    private final InetSocketAddress localAddress;
    private final List<DatagramChannel> channels;
    private final List<UdpSessionTable> tables;
    private final AtomicInteger sessions;
    private final ListenerDrops drops;
    private final AtomicBoolean closed = new AtomicBoolean();

    UdpServiceListener(ServiceHandle handle, InetSocketAddress localAddress, List<UdpSessionTable> tables,
                       AtomicInteger sessions, ListenerDrops drops) {
        this.handle = handle;
        this.localAddress = localAddress;
        this.tables = List.copyOf(tables);
        List<DatagramChannel> list = new ArrayList<>(tables.size());
        for (UdpSessionTable table : tables) {
            list.add(table.channel());
        }
        this.channels = List.copyOf(list);
        this.sessions = sessions;
        this.drops = drops;
        handle.metrics().receiveDrops().attach(drops);
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** The listening sockets, one per event loop that serves the service. */
    public List<DatagramChannel> channels() {
        return channels;
    }

    /** Sessions open across all sockets of this listener (the same count as the service's sessions gauge). */
    public int activeSessions() {
        return sessions.get();
    }

    /** Closes every socket and, on each socket's loop, all its sessions; blocks until they are closed. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // The kernel forgets a socket's drops when it closes: keep this listener's count in the service's counter.
        handle.metrics().receiveDrops().detach(drops);
        List<Future<?>> pending = new ArrayList<>(tables.size());
        for (UdpSessionTable table : tables) {
            try {
                pending.add(table.loop().submit(() -> {
                    table.closeAll();
                    table.channel().close();
                }));
            } catch (RejectedExecutionException e) {
                // The loop is already shut down, and its channels with it.
                table.channel().close();
            }
        }
        for (Future<?> f : pending) {
            f.awaitUninterruptibly();
        }
        for (DatagramChannel ch : channels) {
            ch.closeFuture().awaitUninterruptibly();
        }
        log.info("udp listener closed service={} local={} sockets={}", handle.key(), localAddress, channels.size());
    }
}
