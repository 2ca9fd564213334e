package io.junction.bench.load;

import io.junction.bench.backend.BackendServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tcp-stream}: N connections to the {@code stream} backend, each sending and/or receiving 64 KiB chunks as
 * fast as the window allows. Control-thread only; each connection's handler is confined to its event loop.
 */
final class TcpStreamLoad implements LoadGenerator {
    private final LoadSpec spec;
    private final InetSocketAddress target;
    private final EventLoopGroup group;
    private final LoadControl control;
    private final Tally tally;
    private final ChannelSet channels = new ChannelSet();
    private final ByteBuf chunk = Unpooled.directBuffer(BackendServer.STREAM_CHUNK)
            .writeZero(BackendServer.STREAM_CHUNK);

    TcpStreamLoad(LoadSpec spec, InetSocketAddress target, EventLoopGroup group, LoadControl control, Tally tally) {
        this.spec = spec;
        this.target = target;
        this.group = group;
        this.control = control;
        this.tally = tally;
    }

    @Override
    public void start() throws InterruptedException {
        var bootstrap = ClientBootstraps.tcp(group, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new TcpStreamClientHandler(chunk, spec.direction(), control, tally));
            }
        });
        List<ChannelFuture> connects = new ArrayList<>();
        for (int i = 0; i < spec.connections(); i++) {
            connects.add(bootstrap.connect(target));
        }
        channels.addConnected(connects, tally);
    }

    @Override
    public void stop(Duration drain) {
        control.stop();
        channels.closeAll();
        chunk.release();
    }
}
