package io.junction.bench.load;

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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code tcp-rr}: N persistent connections to the echo backend, one request in flight per connection. With a rate,
 * each connection follows its own schedule of intended start times (staggered across connections) and latency is
 * measured from the intended start, which corrects coordinated omission. Control-thread only.
 */
final class TcpRrLoad implements LoadGenerator {
    private final LoadSpec spec;
    private final InetSocketAddress target;
    private final EventLoopGroup group;
    private final LoadControl control;
    private final Tally tally;
    private final ChannelSet channels = new ChannelSet();
    private final ByteBuf payload;

    TcpRrLoad(LoadSpec spec, InetSocketAddress target, EventLoopGroup group, LoadControl control, Tally tally) {
        this.spec = spec;
        this.target = target;
        this.group = group;
        this.control = control;
        this.tally = tally;
        this.payload = Unpooled.directBuffer(spec.messageSize()).writeZero(spec.messageSize());
    }

    @Override
    public void start() throws InterruptedException {
        long interval = spec.intervalNanos();
        long origin = System.nanoTime();
        AtomicInteger index = new AtomicInteger();
        var bootstrap = ClientBootstraps.tcp(group, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                long firstStart = spec.firstStartNanos(origin, index.getAndIncrement());
                ch.pipeline().addLast(new TcpRrClientHandler(payload, interval, firstStart, control, tally,
                        channels.inFlight));
            }
        });
        List<ChannelFuture> connects = new ArrayList<>();
        for (int i = 0; i < spec.connections(); i++) {
            connects.add(bootstrap.connect(target));
        }
        channels.addConnected(connects, tally);
    }

    @Override
    public void stop(Duration drain) throws InterruptedException {
        channels.stop(control, drain);
        payload.release();
    }
}
