package io.junction.agent;

import io.junction.core.testing.TcpEchoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.junction.agent.AgentFixture.roundTrip;
import static io.junction.agent.AgentFixture.writeAtomically;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * client-ip affinity end to end: clients come from distinct loopback addresses (127.0.0.2, .3, ...), and each backend
 * echoes, so which backend served a connection is read from the backends' accept counters.
 */
class ClientIpAffinityTest {
    private final List<TcpEchoServer> backends = List.of(new TcpEchoServer(), new TcpEchoServer(), new TcpEchoServer());
    private Agent agent;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.shutdown();
        }
        backends.forEach(TcpEchoServer::close);
    }

    private int start() throws Exception {
        int port = AgentFixture.freePort();
        StringBuilder eps = new StringBuilder();
        for (TcpEchoServer b : backends) {
            eps.append("      - 127.0.0.1:").append(b.address().getPort()).append('\n');
        }
        Path file = dir.resolve("junction.yaml");
        writeAtomically(file, """
                admin:
                  listen: off
                services:
                  - name: sticky
                    listen: 127.0.0.1:%d
                    lb: client-ip
                    affinityTimeout: 10s
                    endpoints:
                %s""".formatted(port, eps));
        agent = AgentFixture.start(file);
        return port;
    }

    private int[] accepted() {
        int[] n = new int[backends.size()];
        for (int i = 0; i < n.length; i++) {
            n[i] = backends.get(i).accepted();
        }
        return n;
    }

    /** Connects from {@code clientIp}, echoes once, and returns which backend index accepted it. */
    private int connectFrom(String clientIp, int port) throws Exception {
        int[] before = accepted();
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(clientIp), 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(5000);
            assertThat(roundTrip(s, "ping")).isEqualTo("ping");
        }
        int[] after = accepted();
        for (int i = 0; i < after.length; i++) {
            if (after[i] > before[i]) {
                return i;
            }
        }
        throw new AssertionError("no backend accepted the connection");
    }

    @Test
    void oneClientStaysOnOneBackendAndManyClientsSpread() throws Exception {
        int port = start();

        Set<Integer> forOneClient = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            forOneClient.add(connectFrom("127.0.0.2", port));
        }
        assertThat(forOneClient).as("sticky for one client").hasSize(1);

        List<Integer> firstChoice = new ArrayList<>();
        for (int c = 3; c < 33; c++) {
            String ip = "127.0.0." + c;
            int chosen = connectFrom(ip, port);
            firstChoice.add(chosen);
            assertThat(connectFrom(ip, port)).as("client %s again", ip).isEqualTo(chosen);
        }
        assertThat(new HashSet<>(firstChoice)).as("30 clients spread over the 3 backends").hasSize(3);
    }
}
