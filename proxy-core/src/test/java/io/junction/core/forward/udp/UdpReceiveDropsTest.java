package io.junction.core.forward.udp;

import io.junction.core.forward.EventLoops;
import io.junction.core.forward.Transports;
import io.junction.core.lb.Backend;
import io.junction.core.lb.Pickers;
import io.junction.core.metrics.FailureReason;
import io.junction.core.metrics.ServiceMetrics;
import io.junction.core.model.Endpoint;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServiceSpec;
import io.junction.core.model.UdpSettings;
import io.junction.core.state.ServiceHandle;
import io.junction.core.state.ServiceSnapshot;
import io.junction.core.testing.UdpEchoServer;
import io.junction.core.testing.UdpTestClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.socket.DatagramChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code junction_udp_receive_drops_total} counts, exactly, the datagrams the kernel discarded on a listener's full
 * receive buffer. The listener's event loops are held busy by a task of the test's own, so nothing reads the sockets
 * while clients send far more than their receive buffers hold; whatever the proxy never received was dropped by the
 * kernel (on loopback nothing else can lose a datagram), and the counter must say exactly that many.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpReceiveDropsTest {
    private static final int CLIENTS = 4;
    private static final int DATAGRAMS_PER_CLIENT = 2_000;
    private static final int PAYLOAD = 200;

    private static EventLoops loops;

    @BeforeAll
    static void startLoops() {
        // Two loops: two SO_REUSEPORT sockets, so the count must be summed over the listener's sockets.
        loops = EventLoops.create(2);
    }

    @AfterAll
    static void stopLoops() {
        loops.close();
    }

    @Test
    void datagramsDroppedOnAFullReceiveBufferAreCountedExactlyAndKeptAfterTheListenerCloses() throws Exception {
        assumeTrue(Transports.isNative(), "the kernel's drop count is read through a native channel's descriptor");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (UdpEchoServer backend = UdpEchoServer.plain()) {
            ServiceHandle handle = handle(backend);
            ServiceMetrics metrics = handle.metrics();
            metrics.bindTo(registry);
            UdpServiceListener listener = (UdpServiceListener) new UdpListenerFactory(loops).bind(handle);
            List<UdpTestClient> clients = new ArrayList<>();
            try {
                assertThat(counter(registry)).as("nothing dropped before any traffic").isZero();
                CountDownLatch release = new CountDownLatch(1);
                holdLoops(listener, release);
                long sent = 0;
                try {
                    for (int c = 0; c < CLIENTS; c++) {
                        UdpTestClient client = new UdpTestClient(listener.localAddress());
                        clients.add(client);
                        for (int i = 0; i < DATAGRAMS_PER_CLIENT; i++) {
                            client.send(new byte[PAYLOAD]);
                            sent++;
                        }
                    }
                } finally {
                    release.countDown();
                }
                long forwarded = settledForwarded(metrics);
                assertThat(metrics.failures(FailureReason.SEND_QUEUE_FULL)).as("every datagram read was forwarded")
                        .isZero();
                long lost = sent - forwarded;
                assertThat(lost).as("the buffers overflowed while the loops were held").isPositive();
                assertThat(counter(registry)).as("kernel drops counted").isEqualTo(lost);

                listener.close();
                assertThat(counter(registry)).as("the count survives the listener's close").isEqualTo(lost);
            } finally {
                listener.close();
                for (UdpTestClient client : clients) {
                    client.close();
                }
            }
        }
    }

    /** Occupies every loop of the listener until {@code release}, and returns once all of them are held. */
    private static void holdLoops(UdpServiceListener listener, CountDownLatch release) throws InterruptedException {
        CountDownLatch held = new CountDownLatch(listener.channels().size());
        for (DatagramChannel ch : listener.channels()) {
            ch.eventLoop().execute(() -> {
                held.countDown();
                try {
                    // Bounded: the test's own sends take well under a second.
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertThat(held.await(5, TimeUnit.SECONDS)).as("loops held").isTrue();
    }

    /** Datagrams forwarded once the loops have read everything queued: the count stops moving for 300 ms. */
    private static long settledForwarded(ServiceMetrics metrics) {
        AtomicLong last = new AtomicLong(-1);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
            long now = metrics.datagramsToBackend();
            return last.getAndSet(now) == now && now > 0;
        });
        return last.get();
    }

    private static long counter(SimpleMeterRegistry registry) {
        return (long) registry.get("junction.udp.receive.drops").functionCounter().count();
    }

    private static ServiceHandle handle(UdpEchoServer backend) {
        ServiceSpec spec = ServiceSpec.of(ServiceKey.of("flooded", Protocol.UDP), new InetSocketAddress("127.0.0.1", 0),
                LbPolicy.ROUND_ROBIN).withUdp(UdpSettings.DEFAULTS);
        List<Backend> backends = List.of(new Backend(Endpoint.of("127.0.0.1", backend.port())));
        return new ServiceHandle(ServiceSnapshot.ofEligible(1, spec, backends, Pickers.create(spec, backends, null)));
    }
}
