package io.junction.bench.load;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The UDP modes: N flows (connected datagram sockets, one source port each) to the UDP echo backend. Every datagram
 * carries a sequence number and its send time, so the echoes give delivered rate, loss and round-trip latency.
 * <ul>
 *   <li>{@code udp-stream}: each flow sends paced datagrams ({@code rate / connections} per second) regardless of
 *       answers;</li>
 *   <li>{@code udp-rr}: each flow keeps one datagram in flight; an answer (matched by sequence number) or the timeout
 *       triggers the next.</li>
 * </ul>
 * Control-thread only; each flow is confined to its event loop.
 */
final class UdpLoad implements LoadGenerator {
    private final LoadSpec spec;
    private final InetSocketAddress target;
    private final EventLoopGroup group;
    private final LoadControl control;
    private final Tally tally;
    private final ChannelSet channels = new ChannelSet();

    UdpLoad(LoadSpec spec, InetSocketAddress target, EventLoopGroup group, LoadControl control, Tally tally) {
        this.spec = spec;
        this.target = target;
        this.group = group;
        this.control = control;
        this.tally = tally;
    }

    @Override
    public void start() throws InterruptedException {
        boolean paced = spec.mode() == Mode.UDP_STREAM;
        double perFlowPerNano = paced ? spec.rate() / 1e9 / spec.connections() : 0;
        Duration timeout = paced ? null : spec.udpTimeout();
        var bootstrap = ClientBootstraps.udp(group, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new UdpClientHandler(spec.messageSize(), perFlowPerNano, timeout, control,
                        tally, channels.inFlight));
            }
        });
        List<ChannelFuture> connects = new ArrayList<>();
        for (int i = 0; i < spec.connections(); i++) {
            connects.add(bootstrap.connect(target, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        }
        channels.addConnected(connects, tally);
    }

    @Override
    public void stop(Duration drain) throws InterruptedException {
        // Echoes of the last datagrams are still on their way; their send time is in the window, so they count.
        channels.stop(control, drain);
    }
}
