package io.junction.agent;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Tells systemd about the agent's state ({@code Type=notify}): {@code READY=1} once it serves, {@code RELOADING=1}
 * around a SIGHUP reload, {@code STOPPING=1} when the drain begins, each with a {@code STATUS=} line for
 * {@code systemctl status}. The protocol is one datagram per message on the AF_UNIX socket named by
 * {@code $NOTIFY_SOCKET} (sd_notify(3)); the JDK has no Unix datagram sockets, Netty's native epoll transport does.
 * Without {@code $NOTIFY_SOCKET} (not under systemd, or another {@code Type=}) every call does nothing.
 *
 * <p>Thread-safe; each call sends at once and waits up to a second for the datagram to leave.
 */
final class SystemdNotify implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SystemdNotify.class);

    private final EventLoopGroup group;
    private final Channel channel;

    private SystemdNotify(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /** A notifier for {@code notifySocket} (the value of {@code $NOTIFY_SOCKET}); one that does nothing for null. */
    static SystemdNotify create(String notifySocket) {
        if (notifySocket == null || notifySocket.isEmpty()) {
            return new SystemdNotify(null, null);
        }
        if (!Epoll.isAvailable()) {
            log.warn("systemd=notify_unavailable socket={} reason=\"{}\"", notifySocket,
                    Epoll.unavailabilityCause().toString());
            return new SystemdNotify(null, null);
        }
        // An abstract socket name starts with '@' in $NOTIFY_SOCKET and with a NUL byte on the wire.
        String path = notifySocket.startsWith("@") ? '\0' + notifySocket.substring(1) : notifySocket;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("junction-sd-notify", true),
                EpollIoHandler.newFactory());
        try {
            // Connected, so that each message is a plain write; the socket is systemd's for the life of the service.
            Channel channel = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                    .handler(new ChannelInboundHandlerAdapter()).connect(new DomainSocketAddress(path))
                    .syncUninterruptibly().channel();
            return new SystemdNotify(group, channel);
        } catch (Exception e) { // Netty rethrows the connect's IOException unchecked
            log.warn("systemd=notify_unavailable socket={} reason=\"{}\"", notifySocket, e.toString());
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            return new SystemdNotify(null, null);
        }
    }

    /** The agent serves (or waits for a source with the admin server answering). */
    void ready(String status) {
        send("READY=1\nSTATUS=" + status);
    }

    /** A reload begins; {@link #ready} ends it. */
    void reloading() {
        send("RELOADING=1\nMONOTONIC_USEC=" + TimeUnit.NANOSECONDS.toMicros(System.nanoTime())
                + "\nSTATUS=reloading the config");
    }

    /** The drain begins. */
    void stopping(String status) {
        send("STOPPING=1\nSTATUS=" + status);
    }

    private void send(String message) {
        if (channel == null) {
            return;
        }
        ChannelFuture f = channel.writeAndFlush(Unpooled.copiedBuffer(message, StandardCharsets.UTF_8));
        if (!f.awaitUninterruptibly(1, TimeUnit.SECONDS) || !f.isSuccess()) {
            log.warn("systemd=notify_failed message=\"{}\" reason=\"{}\"", message.replace('\n', ' '),
                    f.cause() == null ? "timed out" : f.cause().toString());
        }
    }

    @Override
    public void close() {
        if (group != null) {
            channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        }
    }
}
