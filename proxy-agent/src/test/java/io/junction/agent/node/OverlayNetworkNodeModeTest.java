package io.junction.agent.node;

import io.junction.agent.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An overlay network as Docker's (and flannel's) VXLAN backend builds it, in namespaces this test creates: two
 * "hosts" joined by a veth "underlay" (10.210.0.0/24, MTU 1500), each with a VXLAN device (VNI 4210) enslaved to its
 * own bridge, so containers on both hosts share one L2 overlay, 10.210.2.0/24. The overlay's MTU is the underlay's
 * less VXLAN's 50 bytes (outer IPv4 20, UDP 8, VXLAN 8, inner Ethernet 14): 1450 on the VXLAN device, the bridges and
 * every container's {@code eth0}. Host A runs Junction as a node daemon (node mode): a container on host A reaches
 * the {@code web} service at its virtual address, host A's nat prerouting redirects it to the agent, and the agent
 * forwards to the service's endpoint in a container on host B, across the VXLAN. 64 MiB go there and back through
 * it (an echo backend) and arrive byte-exact, checked by SHA-256 in both directions.
 *
 * <p>What catches a wrong MTU: TCP through the proxy does not, since each leg's MSS follows its route's MTU (checked:
 * with the containers' {@code eth0} at 1500 over the 1450 overlay, the 64 MiB still arrive). A UDP datagram that fills
 * a 1500-byte packet does: with the right MTU each sender fragments it; with a container at 1500, the backend's echo
 * leaves whole and host B's bridge drops it at the VXLAN port (checked: the test then fails on that echo). The kernel
 * itself keeps a VXLAN device created with {@code dev} at most 50 bytes under the underlay's MTU.
 * Fixed ports are fine here: they are bound only inside the namespaces this test makes.
 */
@Tag("netns")
class OverlayNetworkNodeModeTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int UNDERLAY_MTU = 1500;
    private static final int VXLAN_OVERHEAD = 50;
    private static final int OVERLAY_MTU = UNDERLAY_MTU - VXLAN_OVERHEAD;
    private static final String HOST_A_OVERLAY = "10.210.2.1";
    private static final String CLIENT = "10.210.2.11";
    private static final String BACKEND = "10.210.2.21";
    private static final int BACKEND_PORT = 18081;
    private static final long BULK_BYTES = 64L * 1024 * 1024;

    @TempDir
    Path dir;

    private ContainerTestbed testbed;
    private TestNamespace hostA;
    private TestNamespace client;
    private TestNamespace backend;
    private String vxlan;

    @BeforeEach
    void network() throws Exception {
        TestNamespace.assumeRootWithNetworkTools();
        testbed = ContainerTestbed.open(dir);
        ContainerLinks.assumeKernelSupports("bridge", "type", "bridge");
        ContainerLinks.assumeKernelSupports("vxlan", "type", "vxlan", "id", "42", "dstport", "4789", "local",
                "10.1.1.1", "remote", "10.1.1.2", "dev", "p0");
        String tag = ContainerLinks.tag();
        hostA = testbed.namespace("hosta-");
        TestNamespace hostB = testbed.namespace("hostb-");
        client = testbed.namespace("ca-");
        backend = testbed.namespace("cb-");
        String underlay = "ul" + tag;
        hostA.exec("ip", "link", "add", underlay, "mtu", Integer.toString(UNDERLAY_MTU), "type", "veth", "peer",
                "name", underlay, "mtu", Integer.toString(UNDERLAY_MTU), "netns", hostB.name());
        ContainerLinks.up(hostA, underlay, "10.210.0.1/24");
        ContainerLinks.up(hostB, underlay, "10.210.0.2/24");
        vxlan = "vx" + tag;
        String bridge = "br" + tag;
        overlayHost(hostA, underlay, "10.210.0.1", "10.210.0.2", bridge, HOST_A_OVERLAY);
        overlayHost(hostB, underlay, "10.210.0.2", "10.210.0.1", bridge, "10.210.2.2");
        ContainerLinks.plug(hostA, bridge, "vca" + tag, client, CLIENT + "/24", OVERLAY_MTU);
        ContainerLinks.plug(hostB, bridge, "vcb" + tag, backend, BACKEND + "/24", OVERLAY_MTU);
        client.exec("ip", "route", "add", "default", "via", HOST_A_OVERLAY);
        // Host A's service CIDR route, as a node has one (see NodeModeNamespaceTest).
        hostA.exec("ip", "route", "add", "local", "10.96.0.0/12", "dev", "lo");
    }

    /**
     * A VXLAN device to {@code remote} over {@code underlay}, with the overlay MTU, in a new bridge that also carries
     * the host's own overlay address.
     */
    private void overlayHost(TestNamespace host, String underlay, String local, String remote, String bridge,
            String overlayIp) throws Exception {
        host.exec("ip", "link", "add", vxlan, "mtu", Integer.toString(OVERLAY_MTU), "type", "vxlan", "id", "4210",
                "local", local, "remote", remote, "dstport", "4789", "dev", underlay);
        ContainerLinks.bridge(host, bridge, OVERLAY_MTU);
        host.exec("ip", "link", "set", vxlan, "master", bridge, "up");
        host.exec("ip", "addr", "add", overlayIp + "/24", "dev", bridge);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (testbed != null) {
            testbed.close();
        }
    }

    @Test
    void aNodeDaemonOnHostAServesEndpointsOnHostBAcrossTheVxlanAnd64MiBArriveByteExact() throws Exception {
        assertThat(ContainerLinks.mtu(hostA, vxlan)).as("VXLAN MTU = underlay MTU - 50").isEqualTo(OVERLAY_MTU);
        assertThat(ContainerLinks.mtu(client, "eth0")).as("a container's MTU on the overlay").isEqualTo(OVERLAY_MTU);
        assertThat(ContainerLinks.mtu(backend, "eth0")).isEqualTo(OVERLAY_MTU);
        backend.java("echo", NamespaceEcho.class.getName(), BACKEND, Integer.toString(BACKEND_PORT));
        await().atMost(WAIT).until(() -> "direct".equals(hostA.tcpExchange(BACKEND, BACKEND_PORT, "direct")));
        Path config = dir.resolve("junction.yaml");
        Files.writeString(config, """
                admin:
                  listen: 127.0.0.1:9901
                proxy:
                  workerThreads: 1
                  shutdownDrainTimeout: 1s
                nodeMode:
                  enabled: true
                services:
                  - name: web
                    virtualAddress: 10.96.0.10:80
                    endpoints: [%s:%d]
                  - name: dns
                    protocol: udp
                    virtualAddress: 10.96.0.53:53
                    endpoints: [%s:%d]
                """.formatted(BACKEND, BACKEND_PORT, BACKEND, BACKEND_PORT));
        hostA.java("agent", Main.class.getName(), "run", "--config", config.toString());
        await().atMost(WAIT).until(() -> "hello".equals(client.tcpExchange("10.96.0.10", 80, "hello")));

        Process bulk = client.java("bulk", NamespaceBulkClient.class.getName(), "10.96.0.10", "80",
                Long.toString(BULK_BYTES));
        assertThat(bulk.waitFor(120, TimeUnit.SECONDS)).as("the 64 MiB exchange ends").isTrue();
        List<String> lines = Files.readAllLines(client.log("bulk"));
        assertThat(lines).as("bulk client output").hasSize(2);
        String[] sent = lines.get(0).split(" ");
        String[] received = lines.get(1).split(" ");
        assertThat(sent[0]).isEqualTo("sent");
        assertThat(received[0]).isEqualTo("received");
        assertThat(Long.parseLong(sent[1])).isEqualTo(BULK_BYTES);
        assertThat(Long.parseLong(received[1])).as("bytes back through the agent and the VXLAN").isEqualTo(BULK_BYTES);
        assertThat(received[2]).as("SHA-256 of what came back = of what was sent").isEqualTo(sent[2]);
        assertThat(vxlanBytes("tx")).as("bytes host A's VXLAN device sent to host B").isGreaterThan(BULK_BYTES);
        assertThat(vxlanBytes("rx")).as("bytes host A's VXLAN device received from host B").isGreaterThan(BULK_BYTES);
        String fullSize = "x".repeat(UNDERLAY_MTU - 28); // a 1500-byte IP packet: fragmented to cross the overlay
        String echoed = udpFromClient("10.96.0.53", 53, fullSize);
        assertThat(echoed).as("the echo of a %d-byte datagram; none came back: a hop with a larger MTU than the"
                + " overlay's sent it unfragmented and the bridge dropped it at the VXLAN port", fullSize.length())
                .isNotNull();
        assertThat(echoed.equals(fullSize)).as("the datagram came back unchanged").isTrue();
        assertThat(AgentView.totalConnections(AgentView.endpoints(hostA, "127.0.0.1:9901", "web"),
                BACKEND + ":" + BACKEND_PORT)).as("both exchanges went through the agent").isEqualTo(2);
    }

    /** One datagram from the client container to {@code ip:port} and its echo; null when none came back. */
    private String udpFromClient(String ip, int port, String message) throws Exception {
        Process p = client.java("udp-client", NamespaceEcho.class.getName(), "udp-client", CLIENT, ip,
                Integer.toString(port), message);
        assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() == 0 ? Files.readString(client.log("udp-client")) : null;
    }

    /** A counter of host A's VXLAN device ({@code ip netns exec} mounts the namespace's own /sys). */
    private long vxlanBytes(String direction) throws Exception {
        return Long.parseLong(hostA.exec("cat", "/sys/class/net/" + vxlan + "/statistics/" + direction + "_bytes")
                .strip());
    }
}
