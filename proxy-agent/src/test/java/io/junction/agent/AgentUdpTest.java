package io.junction.agent;

import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.testing.UdpEchoServer;
import io.junction.core.testing.UdpTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.junction.agent.AgentFixture.writeAtomically;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** UDP services configured in the file: sessions follow endpoint changes made by editing the file. */
class AgentUdpTest {
    private static final ServiceKey DNS = ServiceKey.of("dns", Protocol.UDP);

    private final UdpEchoServer one = UdpEchoServer.tagged(1);
    private final UdpEchoServer two = UdpEchoServer.tagged(2);
    private final List<UdpTestClient> clients = new ArrayList<>();
    private Agent agent;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        clients.forEach(UdpTestClient::close);
        if (agent != null) {
            agent.shutdown();
        }
        one.close();
        two.close();
    }

    private static String config(int port, UdpEchoServer... backends) {
        StringBuilder eps = new StringBuilder();
        for (UdpEchoServer b : backends) {
            eps.append("      - 127.0.0.1:").append(b.port()).append('\n');
        }
        return """
                admin:
                  listen: off
                services:
                  - name: dns
                    protocol: udp
                    listen: 127.0.0.1:%d
                    sessionIdleTimeout: 30s
                    endpoints:
                %s""".formatted(port, eps);
    }

    private static int tagFor(UdpTestClient client, String payload) {
        byte[] reply = client.request(payload.getBytes(StandardCharsets.UTF_8), Duration.ofMillis(500), 4);
        assertThat(reply).as("reply to %s", payload).isNotNull();
        assertThat(new String(UdpEchoServer.payloadOf(reply), StandardCharsets.UTF_8)).isEqualTo(payload);
        return UdpEchoServer.tagOf(reply);
    }

    @Test
    void removingAnEndpointInTheFileMovesItsSessionsOnTheirNextDatagram() throws Exception {
        int port = AgentFixture.freePort();
        Path file = dir.resolve("junction.yaml");
        writeAtomically(file, config(port, one, two));
        agent = AgentFixture.start(file);

        Map<UdpTestClient, Integer> pinned = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            UdpTestClient c = new UdpTestClient(new InetSocketAddress("127.0.0.1", port));
            clients.add(c);
            pinned.put(c, tagFor(c, "hello-" + i));
        }
        assertThat(pinned.values()).as("sessions spread over both backends").contains(1, 2);
        for (Map.Entry<UdpTestClient, Integer> e : pinned.entrySet()) {
            assertThat(tagFor(e.getKey(), "again")).as("pinned").isEqualTo(e.getValue());
        }

        long version = agent.controller().snapshot().version();
        writeAtomically(file, config(port, two));
        await().atMost(Duration.ofSeconds(2)).until(() -> agent.controller().snapshot().version() > version);
        long oneBefore = one.datagrams();

        for (UdpTestClient c : clients) {
            assertThat(tagFor(c, "after-removal")).as("same client port, re-routed").isEqualTo(2);
        }
        assertThat(one.datagrams()).as("nothing more reaches the removed endpoint").isEqualTo(oneBefore);
        assertThat(agent.controller().handle(DNS).metrics().sessionsActive()).isEqualTo(10);
    }
}
