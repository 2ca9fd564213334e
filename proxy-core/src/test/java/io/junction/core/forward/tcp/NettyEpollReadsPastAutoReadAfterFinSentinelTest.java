package io.junction.core.forward.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Watches for the Netty epoll behaviour that {@link PausableReadSizing} stops, on Netty's classes alone: a channel
 * whose auto-read is off, and which never asked to read, still reads its socket to the end once the peer's FIN has
 * arrived ({@code EPOLLRDHUP}: Netty's read loop then continues until the socket is empty whatever auto-read says).
 * This test passes while Netty does so and fails once it stops reading at auto-read off after a FIN: then
 * {@link PausableReadSizing} can go (see docs/netty-coupling.md).
 */
class NettyEpollReadsPastAutoReadAfterFinSentinelTest {
    private static final String FIXED = "Netty's epoll transport no longer reads a paused channel (auto-read off) "
            + "after the peer's FIN; PausableReadSizing can go";
    private static final int SENT = 256 * 1024;

    @Test
    void aChannelWithAutoReadOffReadsEverythingOnceThePeersFinArrives() throws Exception {
        assumeTrue(Epoll.isAvailable(), "native epoll");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        AtomicLong read = new AtomicLong();
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Channel ch = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    // Room for everything the peer sends, so its FIN arrives while none of it was read.
                    .option(ChannelOption.SO_RCVBUF, 4 * SENT)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            read.addAndGet(((ByteBuf) msg).readableBytes());
                            ((ByteBuf) msg).release();
                        }
                    })
                    .connect(server.getLocalSocketAddress()).sync().channel();
            try (Socket peer = server.accept()) {
                OutputStream out = peer.getOutputStream();
                out.write(new byte[SENT]);
                peer.shutdownOutput();

                // Auto-read was never on and nothing called read(): a channel that respects that reads nothing.
                await(FIXED).atMost(Duration.ofSeconds(10)).until(() -> read.get() == SENT);
                assertThat(ch.config().isAutoRead()).isFalse();
            } finally {
                ch.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }
}
