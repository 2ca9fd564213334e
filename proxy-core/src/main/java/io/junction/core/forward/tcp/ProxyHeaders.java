package io.junction.core.forward.tcp;

import io.junction.core.model.ProxyProtocolSend;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * PROXY protocol headers as this proxy sends and reads them, with Netty's codec: the header written first on a
 * backend connection ({@code proxyProtocol}), and the client address read from an accepted one
 * ({@code acceptProxyProtocol}). Stateless; {@link #write} runs on the channel's loop.
 */
final class ProxyHeaders {
    private ProxyHeaders() {
    }

    /**
     * Writes (without flushing) a {@code version} header on the backend channel {@code ch} saying that
     * {@code source} connected to {@code destination}. Netty's encoder is in the pipeline only for this write.
     */
    static void write(Channel ch, ProxyProtocolSend version, InetSocketAddress source, InetSocketAddress destination) {
        ChannelPipeline pipeline = ch.pipeline();
        pipeline.addFirst(HAProxyMessageEncoder.INSTANCE);
        try {
            ch.write(header(version, source, destination), ch.voidPromise());
        } finally {
            pipeline.remove(HAProxyMessageEncoder.INSTANCE);
        }
    }

    /**
     * The header for a TCP connection from {@code source} to {@code destination}: TCP4 when both are IPv4, else TCP6
     * (an IPv4 address beside an IPv6 one is written IPv4-mapped, as a dual-stack socket sees it).
     */
    static HAProxyMessage header(ProxyProtocolSend version, InetSocketAddress source, InetSocketAddress destination) {
        if (version == ProxyProtocolSend.OFF) {
            throw new IllegalArgumentException("version: " + version + " (expected: send-v1 or send-v2)");
        }
        InetAddress src = source.getAddress();
        InetAddress dst = destination.getAddress();
        boolean v4 = src instanceof Inet4Address && dst instanceof Inet4Address;
        return new HAProxyMessage(
                version == ProxyProtocolSend.V1 ? HAProxyProtocolVersion.V1 : HAProxyProtocolVersion.V2,
                HAProxyCommand.PROXY, v4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
                text(src, v4), text(dst, v4), source.getPort(), destination.getPort());
    }

    /** {@code a} as the header writes it: no scope id, and IPv4-mapped in a TCP6 header. */
    private static String text(InetAddress a, boolean v4) {
        String s = NetUtil.toAddressString(a);
        return !v4 && a instanceof Inet4Address ? "::ffff:" + s : s;
    }

    /**
     * The client named by an accepted {@code header}, or null when the header names none and the connection's own
     * peer is the client: a v2 {@code LOCAL} command (a load balancer's own health check), a v1 {@code UNKNOWN}, or an
     * address family other than IPv4 and IPv6.
     */
    static InetSocketAddress source(HAProxyMessage header) {
        return usable(header) ? address(header.sourceAddress(), header.sourcePort()) : null;
    }

    /** The address the client connected to, as {@code header} names it; null as for {@link #source}. */
    static InetSocketAddress destination(HAProxyMessage header) {
        return usable(header) ? address(header.destinationAddress(), header.destinationPort()) : null;
    }

    private static boolean usable(HAProxyMessage header) {
        if (header.command() != HAProxyCommand.PROXY) {
            return false;
        }
        HAProxyProxiedProtocol.AddressFamily family = header.proxiedProtocol().addressFamily();
        return family == HAProxyProxiedProtocol.AddressFamily.AF_IPv4
                || family == HAProxyProxiedProtocol.AddressFamily.AF_IPv6;
    }

    /** The decoder checked {@code ip} is a literal of the header's family: parsing it never queries DNS. */
    private static InetSocketAddress address(String ip, int port) {
        InetAddress a = NetUtil.createInetAddressFromIpAddressString(ip);
        if (a == null) {
            throw new IllegalArgumentException("ip: " + ip + " (expected: an IP literal)");
        }
        return new InetSocketAddress(a, port);
    }
}
