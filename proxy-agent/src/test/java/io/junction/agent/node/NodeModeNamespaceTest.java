package io.junction.agent.node;

import io.junction.agent.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Node mode for real, as root, in a network namespace this test creates and deletes: the agent, a backend and the
 * client all run inside it ({@code ip netns exec}), so the virtual addresses exist only there and the host's
 * nftables are never touched. The namespace routes 10.96.0.0/12 as local on {@code lo}: a host has a route for
 * its service CIDR (its default route at least); without one, connect() fails with "network unreachable" before the
 * output hook could redirect. With the local route, a virtual address that has no rule is refused at once.
 *
 * <p>The UDP client sends from 127.0.0.1. With the local route a client would otherwise send from the virtual
 * address itself, and the proxy's wildcard UDP socket answers from the address the kernel picks for the client
 * (that same virtual address), not from 127.0.0.1, where the redirect sent the datagram: conntrack then cannot undo
 * the redirect and the client's connected socket drops the answer. Answering from the datagram's own destination
 * (IP_PKTINFO) is a UDP listener change not made yet (issue 14).
 */
class NodeModeNamespaceTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int BACKEND_PORT = 18081;

    @TempDir
    Path dir;

    private TestNamespace ns;

    @BeforeEach
    void namespace() throws Exception {
        TestNamespace.assumeRootWithNetworkTools();
        ns = TestNamespace.create("jn-", dir);
        ns.exec("ip", "route", "add", "local", "10.96.0.0/12", "dev", "lo");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void clusterIpTrafficReachesTheBackendRulesFollowTheConfigAndGoAwayOnShutdown() throws Exception {
        // A crashed agent's table: its rule must not survive the start of the next one.
        Path stale = dir.resolve("stale.nft");
        Files.writeString(stale,
                "table inet junction {\n chain services {\n  ip daddr 10.96.0.99 tcp dport 80 redirect to :1\n }\n}\n");
        ns.exec("nft", "-f", stale.toString());
        ns.java("echo", NamespaceEcho.class.getName(), "127.0.0.1", Integer.toString(BACKEND_PORT));
        await().atMost(WAIT).until(() -> "up".equals(ns.tcpExchange("127.0.0.1", BACKEND_PORT, "up")));
        Path config = dir.resolve("junction.yaml");
        Files.writeString(config, config("10.96.0.10:80"));
        Process agent = ns.java("agent", Main.class.getName(), "run", "--config", config.toString());

        await().atMost(WAIT).until(() -> "hello".equals(ns.tcpExchange("10.96.0.10", 80, "hello")));
        assertThat(udpClient("10.96.0.53", 53, "ping")).as("udp through its virtual address").isEqualTo("ping");
        String table = ns.exec("nft", "list", "table", "inet", "junction");
        assertThat(table).as("the stale table was replaced").doesNotContain("10.96.0.99")
                .contains("ip daddr 10.96.0.10 tcp dport 80 redirect to :");

        assertThat(ns.httpGet("127.0.0.1", 9901, "/api/status").replaceAll("\\s", ""))
                .as("/api/status shows the table")
                .contains("\"table\":\"inetjunction\"", "\"rules\":2", "\"error\":null");
        assertThat(ns.httpGet("127.0.0.1", 9901, "/metrics"))
                .contains("junction_node_nft_rules 2.0", "junction_node_nft_failures_total 0.0");

        writeAtomically(config, config("10.96.0.11:80"));
        await().atMost(WAIT).until(() -> "again".equals(ns.tcpExchange("10.96.0.11", 80, "again")));
        assertThat(ns.tcpExchange("10.96.0.10", 80, "gone")).as("the old virtual address has no rule any more")
                .isNull();

        agent.destroy(); // SIGTERM: ip netns exec execs java, so the signal reaches the agent
        assertThat(agent.waitFor(20, TimeUnit.SECONDS)).as("the agent stops").isTrue();
        assertThat(agent.exitValue()).isZero();
        TestNamespace.Result list = ns.run("nft", "list", "table", "inet", "junction");
        assertThat(list.code()).as("the table is gone after a clean shutdown: %s", list.out()).isNotZero();
        assertThat(Files.readString(ns.log("agent"))).contains("nft=applied").contains("nft=removed");
    }

    private static String config(String virtualAddress) {
        return """
                admin:
                  listen: 127.0.0.1:9901
                proxy:
                  workerThreads: 1
                  shutdownDrainTimeout: 1s
                nodeMode:
                  enabled: true
                services:
                  - name: web
                    virtualAddress: %s
                    endpoints: [127.0.0.1:%d]
                  - name: dns
                    protocol: udp
                    virtualAddress: 10.96.0.53:53
                    endpoints: [127.0.0.1:%d]
                """.formatted(virtualAddress, BACKEND_PORT, BACKEND_PORT);
    }

    /**
     * One datagram and its echo from inside the namespace, from 127.0.0.1 (see the class comment on UDP sources);
     * null when none came back.
     */
    private String udpClient(String ip, int port, String message) throws Exception {
        Process p = ns.java("udp-client", NamespaceEcho.class.getName(), "udp-client", "127.0.0.1", ip,
                Integer.toString(port), message);
        assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() == 0 ? Files.readString(ns.log("udp-client")) : null;
    }

    private static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
