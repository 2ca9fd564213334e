package io.junction.core.forward.udp;

import io.junction.core.forward.EventLoops;
import io.junction.core.forward.Transports;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServiceSpec;
import io.junction.core.testing.TestHandles;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs in the io_uring pass of the build (mvn -Djunction.transport=io_uring); skipped on epoll and NIO. */
class UdpOnIoUringTest {
    @Test
    void aUdpListenerRefusesToBindWithAClearReason() {
        assumeTrue(Transports.ioUring(), "io_uring transport not in use");
        ServiceSpec spec = ServiceSpec.of(ServiceKey.of("dns", Protocol.UDP), new InetSocketAddress("127.0.0.1", 0),
                LbPolicy.ROUND_ROBIN);
        try (EventLoops loops = EventLoops.create(1)) {
            UdpListenerFactory factory = new UdpListenerFactory(loops);
            assertThatThrownBy(() -> factory.bind(TestHandles.handle(spec, List.of(new InetSocketAddress("127.0.0.1", 9)))))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("udp services need the epoll or nio transport")
                    .hasMessageContaining("io_uring serves TCP only");
        }
    }
}
