package io.junction.agent.config;

import io.junction.core.model.Cidr;
import io.junction.core.model.Protocol;
import io.junction.core.model.ProxyProtocolAccept;
import io.junction.core.model.ProxyProtocolSend;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.TcpSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code proxyProtocol} and {@code acceptProxyProtocol}: per service and in {@code defaults}, TCP only, every key
 * checked with its path and the reason.
 */
class ProxyProtocolConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void offByDefault() {
        TcpSettings tcp = tcpOf("a", "services:\n  - name: a\n    listen: 127.0.0.1:1000\n    endpoints: []\n");
        assertThat(tcp.proxyProtocol()).isEqualTo(ProxyProtocolSend.OFF);
        assertThat(tcp.acceptProxyProtocol()).isEqualTo(ProxyProtocolAccept.OFF);
    }

    @Test
    void perServiceOverDefaults() {
        String yaml = """
                defaults:
                  proxyProtocol: send-v1
                  acceptProxyProtocol:
                    trustedCidrs: [10.0.0.0/8]
                services:
                  - name: inherits
                    listen: 127.0.0.1:1000
                    endpoints: []
                  - name: own
                    listen: 127.0.0.1:1001
                    proxyProtocol: send-v2
                    acceptProxyProtocol:
                      trustedCidrs: [192.168.0.0/16, "fd00::/8", 172.16.0.9]
                      timeout: 500ms
                    endpoints: []
                  - name: none
                    listen: 127.0.0.1:1002
                    proxyProtocol: off
                    acceptProxyProtocol: off
                    endpoints: []
                """;
        AgentConfig config = loader.parse(yaml, "p.yaml");
        TcpSettings inherits = tcpOf(config, "inherits");
        assertThat(inherits.proxyProtocol()).isEqualTo(ProxyProtocolSend.V1);
        assertThat(inherits.acceptProxyProtocol()).isEqualTo(
                new ProxyProtocolAccept(List.of(Cidr.parse("10.0.0.0/8")), Duration.ofSeconds(3)));
        TcpSettings own = tcpOf(config, "own");
        assertThat(own.proxyProtocol()).isEqualTo(ProxyProtocolSend.V2);
        assertThat(own.acceptProxyProtocol()).isEqualTo(new ProxyProtocolAccept(List.of(Cidr.parse("192.168.0.0/16"),
                Cidr.parse("fd00::/8"), Cidr.parse("172.16.0.9/32")), Duration.ofMillis(500)));
        TcpSettings none = tcpOf(config, "none");
        assertThat(none.proxyProtocol()).isEqualTo(ProxyProtocolSend.OFF);
        assertThat(none.acceptProxyProtocol().enabled()).isFalse();
    }

    @Test
    void aUdpServiceWithEitherKeyIsRejected() {
        String yaml = """
                services:
                  - name: dns
                    protocol: udp
                    listen: 127.0.0.1:1053
                    proxyProtocol: send-v2
                    acceptProxyProtocol: {trustedCidrs: [10.0.0.0/8]}
                    endpoints: []
                """;
        assertThatThrownBy(() -> loader.parse(yaml, "u.yaml"))
                .hasMessageContaining("services[0].proxyProtocol: applies only to tcp services (this service is udp)")
                .hasMessageContaining("services[0].acceptProxyProtocol: applies only to tcp services");
    }

    @Test
    void badValuesNameTheFieldAndTheReason() {
        String yaml = """
                services:
                  - name: a
                    listen: 127.0.0.1:1000
                    proxyProtocol: v2
                    endpoints: []
                  - name: b
                    listen: 127.0.0.1:1001
                    acceptProxyProtocol:
                      trustedCidr: [10.0.0.0/8]
                    endpoints: []
                  - name: c
                    listen: 127.0.0.1:1002
                    acceptProxyProtocol:
                      trustedCidrs: []
                      timeout: 0s
                    endpoints: []
                  - name: d
                    listen: 127.0.0.1:1003
                    acceptProxyProtocol:
                      trustedCidrs: [10.0.0.0/33, example.com]
                      timeout: 10m
                    endpoints: []
                  - name: e
                    listen: 127.0.0.1:1004
                    acceptProxyProtocol: true
                    endpoints: []
                """;
        assertThatThrownBy(() -> loader.parse(yaml, "bad.yaml"))
                .hasMessageContaining("services[0].proxyProtocol: \"v2\" is not a valid proxyProtocol "
                        + "(expected one of: off, send-v1, send-v2)")
                .hasMessageContaining("services[1].acceptProxyProtocol.trustedCidr: unknown key")
                .hasMessageContaining("did you mean 'trustedCidrs'")
                .hasMessageContaining("services[1].acceptProxyProtocol.trustedCidrs: missing (required")
                .hasMessageContaining("services[2].acceptProxyProtocol.trustedCidrs: an empty list would refuse "
                        + "every connection")
                .hasMessageContaining("services[2].acceptProxyProtocol.timeout: ")
                .hasMessageContaining("services[3].acceptProxyProtocol.trustedCidrs[0]: ")
                .hasMessageContaining("services[3].acceptProxyProtocol.trustedCidrs[1]: ")
                .hasMessageContaining("services[3].acceptProxyProtocol.timeout: ")
                .hasMessageContaining("services[4].acceptProxyProtocol: expected a mapping");
    }

    @Test
    void theShippedSidecarConfigIsAcceptedAndSendsV2ToTheApp() throws Exception {
        String shipped = Files.readString(Path.of("..", "config", "sidecar.yaml"));
        AgentConfig config = loader.parse(shipped, "sidecar.yaml");
        TcpSettings inbound = tcpOf(config, "app-inbound");
        assertThat(inbound.proxyProtocol()).isEqualTo(ProxyProtocolSend.V2);
        assertThat(inbound.acceptProxyProtocol().enabled()).isFalse();
        assertThat(tcpOf(config, "orders").proxyProtocol()).isEqualTo(ProxyProtocolSend.OFF);
        // Its commented acceptProxyProtocol block, uncommented, is accepted too.
        AgentConfig accepting = loader.parse(shipped.replace("    # acceptProxyProtocol:", "    acceptProxyProtocol:")
                .replace("    #   trustedCidrs:", "      trustedCidrs:").replace("    #   timeout:", "      timeout:"),
                "sidecar.yaml, accepting");
        assertThat(tcpOf(accepting, "app-inbound").acceptProxyProtocol()).isEqualTo(
                new ProxyProtocolAccept(List.of(Cidr.parse("10.0.0.0/16")), Duration.ofSeconds(3)));
    }

    private TcpSettings tcpOf(String name, String yaml) {
        return tcpOf(loader.parse(yaml, "s.yaml"), name);
    }

    private static TcpSettings tcpOf(AgentConfig config, String name) {
        return config.spec(new ServiceKey(ServiceKey.DEFAULT_NAMESPACE, name, "",
                Protocol.TCP)).tcp();
    }
}
