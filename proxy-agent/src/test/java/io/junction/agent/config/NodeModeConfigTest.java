package io.junction.agent.config;

import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code nodeMode} section and the services' {@code virtualAddress}. */
class NodeModeConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void nodeModeIsOffByDefault() {
        AgentConfig config = loader.parse("services: []\n", "a.yaml");

        assertThat(config.nodeMode()).isEqualTo(NodeModeConfig.OFF);
    }

    @Test
    void nodeModeServicesMayLeaveOutListenAndListenOnAnEphemeralPort() throws Exception {
        AgentConfig config = loader.parse("""
                nodeMode:
                  enabled: true
                services:
                  - name: dns
                    protocol: udp
                    virtualAddress: 10.96.0.10:53
                  - name: web
                    virtualAddress: [10.96.0.20:80, "[fd00::20]:80"]
                    endpoints: [127.0.0.1:8080]
                  - name: pinned
                    listen: 127.0.0.1:10080
                    virtualAddress: 10.96.0.30:80
                """, "a.yaml");

        assertThat(config.nodeMode()).isEqualTo(new NodeModeConfig(true, null));
        ServiceKey dns = ServiceKey.of("dns", Protocol.UDP);
        ServiceKey web = ServiceKey.of("web", Protocol.TCP);
        ServiceKey pinned = ServiceKey.of("pinned", Protocol.TCP);
        assertThat(config.services().get(dns).virtualAddresses())
                .containsExactly(new InetSocketAddress("10.96.0.10", 53));
        assertThat(config.services().get(web).virtualAddresses()).containsExactly(
                new InetSocketAddress("10.96.0.20", 80), new InetSocketAddress(InetAddress.getByName("fd00::20"), 80));
        assertThat(config.policy().services().get(dns).listen()).as("node mode decides at run time").isNull();
        assertThat(config.spec(dns).listen()).isEqualTo(new InetSocketAddress("0.0.0.0", 0));
        assertThat(config.spec(web).listen()).as("an IPv6 virtual address needs a dual-stack listener")
                .isEqualTo(new InetSocketAddress("::", 0));
        assertThat(config.spec(pinned).listen()).as("a configured listen wins")
                .isEqualTo(new InetSocketAddress("127.0.0.1", 10080));
    }

    @Test
    void aConfiguredListenAddressIsUsedForEveryFamily() throws Exception {
        AgentConfig config = loader.parse("""
                nodeMode: {enabled: true, listenAddress: "::1"}
                services:
                  - name: web
                    virtualAddress: 10.96.0.20:80
                """, "a.yaml");

        assertThat(config.nodeMode().listenAddress()).isEqualTo(InetAddress.getByName("::1"));
        assertThat(config.spec(ServiceKey.of("web", Protocol.TCP)).listen())
                .isEqualTo(new InetSocketAddress(InetAddress.getByName("::1"), 0));
    }

    @Test
    void aVirtualAddressOutsideNodeModeIsDeliveredButListenStaysRequired() {
        AgentConfig config = loader.parse("""
                services:
                  - name: web
                    listen: 127.0.0.1:10080
                    virtualAddress: 10.96.0.20:80
                """, "a.yaml");

        assertThat(config.services().values()).singleElement()
                .satisfies(d -> assertThat(d.virtualAddresses())
                        .isEqualTo(List.of(new InetSocketAddress("10.96.0.20", 80))));
    }

    /** The shipped config's commented nodeMode block is valid once switched on. */
    @Test
    void theShippedNodeModeBlockIsValid() throws Exception {
        String shipped = java.nio.file.Files.readString(java.nio.file.Path.of("..", "config", "junction.yaml"));
        String on = shipped.replace("# nodeMode:\n#   enabled: false\n#   listenAddress:",
                "nodeMode:\n  enabled: true\n  listenAddress:");

        AgentConfig config = loader.parse(on, "junction.yaml, node mode");

        assertThat(on).isNotEqualTo(shipped);
        assertThat(config.nodeMode()).isEqualTo(new NodeModeConfig(true, InetAddress.getByName("0.0.0.0")));
    }

    @Test
    void theSameVirtualAddressMayServeTcpAndUdp() {
        AgentConfig config = loader.parse("""
                nodeMode: {enabled: true}
                services:
                  - name: dns
                    virtualAddress: 10.96.0.10:53
                  - name: dns
                    protocol: udp
                    virtualAddress: 10.96.0.10:53
                """, "a.yaml");

        assertThat(config.services()).hasSize(2);
    }
}
