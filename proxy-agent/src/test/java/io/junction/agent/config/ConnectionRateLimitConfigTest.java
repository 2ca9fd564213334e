package io.junction.agent.config;

import io.junction.core.model.ConnectionRateLimit;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.TcpSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code connectionRateLimit}: per service and in {@code defaults}, TCP only, every key checked with path and reason. */
class ConnectionRateLimitConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void perServiceOverDefaultsAndOffByDefault() {
        String yaml = """
                defaults:
                  connectionRateLimit: {perSource: 100/s, burst: 200}
                services:
                  - name: inherits
                    listen: 127.0.0.1:1000
                    endpoints: []
                  - name: own
                    listen: 127.0.0.1:1001
                    connectionRateLimit: {perSource: 30/m}
                    endpoints: []
                  - name: none
                    listen: 127.0.0.1:1002
                    connectionRateLimit: off
                    endpoints: []
                """;
        AgentConfig config = loader.parse(yaml, "r.yaml");
        assertThat(tcpOf(config, "inherits").connectionRateLimit()).isEqualTo(new ConnectionRateLimit(100, 200));
        // Burst defaults to one second's worth, at least 1.
        assertThat(tcpOf(config, "own").connectionRateLimit()).isEqualTo(new ConnectionRateLimit(0.5, 1));
        assertThat(tcpOf(config, "none").connectionRateLimit().enabled()).isFalse();
        AgentConfig plain = loader.parse("services:\n  - name: a\n    listen: 127.0.0.1:1000\n    endpoints: []\n",
                "p.yaml");
        assertThat(tcpOf(plain, "a").connectionRateLimit()).isEqualTo(ConnectionRateLimit.OFF);
        assertThat(tcpOf(loader.parse(yaml.replace("30/m", "600/h"), "h.yaml"), "own").connectionRateLimit()
                .perSecond()).isEqualTo(600.0 / 3600);
    }

    @Test
    void badValuesAreRejectedWithPathAndReason() {
        String yaml = """
                services:
                  - name: a
                    listen: 127.0.0.1:1000
                    connectionRateLimit: {perSource: 100, burst: 5}
                    endpoints: []
                  - name: b
                    listen: 127.0.0.1:1001
                    connectionRateLimit: {perSourc: 100/s}
                    endpoints: []
                  - name: c
                    listen: 127.0.0.1:1002
                    connectionRateLimit: {perSource: 0/s, burst: 0}
                    endpoints: []
                  - name: d
                    listen: 127.0.0.1:1003
                    connectionRateLimit: 100/s
                    endpoints: []
                  - name: dns
                    protocol: udp
                    listen: 127.0.0.1:1004
                    connectionRateLimit: {perSource: 1/s}
                    endpoints: []
                """;
        assertThatThrownBy(() -> loader.parse(yaml, "bad.yaml"))
                .hasMessageContaining("services[0].connectionRateLimit.perSource: expected a rate such as 100/s")
                .hasMessageContaining("services[1].connectionRateLimit.perSourc: unknown key")
                .hasMessageContaining("did you mean 'perSource'")
                .hasMessageContaining("services[1].connectionRateLimit.perSource: missing (required")
                .hasMessageContaining("services[2].connectionRateLimit.perSource: \"0/s\" out of range")
                .hasMessageContaining("services[2].connectionRateLimit.burst: ")
                .hasMessageContaining("services[3].connectionRateLimit: expected a mapping {perSource: 100/s, burst: "
                        + "200} or off")
                .hasMessageContaining("services[4].connectionRateLimit: applies only to tcp services");
    }

    private static TcpSettings tcpOf(AgentConfig config, String name) {
        return config.spec(new ServiceKey(ServiceKey.DEFAULT_NAMESPACE, name, "", Protocol.TCP)).tcp();
    }
}
