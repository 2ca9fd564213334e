package io.junction.bench.load;

import io.junction.core.forward.Transports;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;

/**
 * Client bootstrap settings shared by the generators. Thread-safe (stateless).
 */
final class ClientBootstraps {
    static final int CONNECT_TIMEOUT_MILLIS = 2000;

    private ClientBootstraps() {
    }

    static Bootstrap tcp(EventLoopGroup group, ChannelHandler handler) {
        return new Bootstrap().group(group).channel(Transports.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
                .handler(handler);
    }

    static Bootstrap udp(EventLoopGroup group, ChannelHandler handler) {
        return new Bootstrap().group(group).channel(Transports.datagramChannel())
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .handler(handler);
    }
}
