package io.junction.core.forward.tcp;

import io.junction.core.clock.NanoClock;
import io.junction.core.forward.DescriptorBudget;
import io.junction.core.forward.EventLoops;
import io.junction.core.metrics.FailureReason;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.junction.core.state.ServiceListener;
import io.junction.core.testing.TcpEchoServer;
import io.junction.core.testing.TcpTestClient;
import io.junction.core.testing.TcpTestClient.Ending;
import io.junction.core.testing.TestHandles;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The node-wide descriptor budget, over two services that share it, with real sockets. */
class TcpDescriptorBudgetTest {

    @Test
    void connectionsBeyondTheNodeCapAreClosedAtOnceCountedAndAdmittedAgainOnceOneEnds() throws Exception {
        DescriptorBudget budget = DescriptorBudget.forLimit(198);
        assertThat(budget.connectionCap()).isEqualTo(3);
        try (EventLoops loops = EventLoops.create(2);
             TcpEchoServer echo = new TcpEchoServer()) {
            TcpListenerFactory factory = new TcpListenerFactory(loops, NanoClock.COARSE, budget);
            // Each service alone would allow far more: the cap is the node's, not a listener's.
            ServiceHandle a = TestHandles.handle(TestHandles.tcpSpec("a", TcpSettings.DEFAULTS),
                    List.of(echo.address()));
            ServiceHandle b = TestHandles.handle(TestHandles.tcpSpec("b", TcpSettings.DEFAULTS),
                    List.of(echo.address()));
            ServiceListener la = factory.bind(a);
            ServiceListener lb = factory.bind(b);
            List<Socket> kept = new ArrayList<>();
            try {
                kept.add(TcpTestClient.connect(la.localAddress()));
                kept.add(TcpTestClient.connect(la.localAddress()));
                kept.add(TcpTestClient.connect(lb.localAddress()));
                for (int i = 0; i < kept.size(); i++) {
                    TcpTestClient.assertEcho(kept.get(i), new byte[] {(byte) i});
                }
                for (int i = 0; i < 4; i++) {
                    try (Socket excess = TcpTestClient.connect((i % 2 == 0 ? la : lb).localAddress())) {
                        long t0 = System.nanoTime();
                        assertThat(TcpTestClient.awaitEnd(excess, Duration.ofSeconds(2)))
                                .isNotEqualTo(Ending.TIMEOUT);
                        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
                    }
                }
                assertThat(a.metrics().failures(FailureReason.DESCRIPTOR_LIMIT)).isEqualTo(2);
                assertThat(b.metrics().failures(FailureReason.DESCRIPTOR_LIMIT)).isEqualTo(2);
                assertThat(budget.refusedCount()).isEqualTo(4);
                assertThat(budget.connections()).isEqualTo(3);
                assertThat(echo.accepted()).isEqualTo(3);
                // The held connections were not disturbed by the refusals.
                for (Socket s : kept) {
                    TcpTestClient.assertEcho(s, new byte[] {42});
                }

                kept.remove(0).close();
                await().atMost(Duration.ofSeconds(1)).until(() -> budget.connections() == 2);
                try (Socket again = TcpTestClient.connect(lb.localAddress())) {
                    TcpTestClient.assertEcho(again, new byte[] {9});
                }
            } finally {
                for (Socket s : kept) {
                    s.close();
                }
                la.close();
                lb.close();
            }
            await().atMost(Duration.ofSeconds(3)).until(() -> budget.connections() == 0);
        }
    }
}
