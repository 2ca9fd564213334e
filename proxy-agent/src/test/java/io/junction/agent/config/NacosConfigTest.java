package io.junction.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.agent.discovery.nacos.NacosServer;
import io.junction.agent.discovery.nacos.NacosSettings;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The {@code discovery.nacos} block: its keys, defaults and every rejection, each naming its field. */
class NacosConfigTest {
    private static AgentConfig parse(String yaml) {
        return new ConfigLoader().parse(yaml.getBytes(StandardCharsets.UTF_8), "n.yaml");
    }

    private static NacosSettings settings(String block) {
        AgentConfig c = parse("discovery:\n  nacos:\n" + block.indent(4) + "services: []\n");
        assertThat(c.discovery()).singleElement().extracting(DiscoveryBlock::name).isEqualTo("nacos");
        return ((NacosBlockBinder.NacosBlock) c.discovery().get(0)).settings();
    }

    @Test
    void theMinimalBlockTakesTheNacosDefaults() {
        NacosSettings s = settings("serverAddr: 10.0.0.5\nservices: [web]");
        assertThat(s).isEqualTo(new NacosSettings(List.of(new NacosServer("http", "10.0.0.5", 8848)), "",
                "DEFAULT_GROUP", List.of("web"), List.of(), null, null, Duration.ofSeconds(5), Map.of()));
        assertThat(s.toString()).doesNotContain("password=");
    }

    @Test
    void everyKey() {
        NacosSettings s = settings("""
                serverAddr: 'nacos-0.nacos:8848, https://nacos-1.nacos:9848,[::1]:8848,http://10.0.0.7/'
                namespace: dev-ns_1
                group: SHOP_GROUP
                services: [web, Orders_V2]
                clusters: [hz, sh]
                username: junction
                password: s3cret
                pollInterval: 2s
                rename: {Orders_V2: orders}
                """);
        assertThat(s.servers()).containsExactly(new NacosServer("http", "nacos-0.nacos", 8848),
                new NacosServer("https", "nacos-1.nacos", 9848), new NacosServer("http", "::1", 8848),
                new NacosServer("http", "10.0.0.7", 8848));
        assertThat(s.namespace()).isEqualTo("dev-ns_1");
        assertThat(s.group()).isEqualTo("SHOP_GROUP");
        assertThat(s.services()).containsExactly("web", "Orders_V2");
        assertThat(s.clusters()).containsExactly("hz", "sh");
        assertThat(s.username()).isEqualTo("junction");
        assertThat(s.password()).isEqualTo("s3cret");
        assertThat(s.pollInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.junctionName("Orders_V2")).isEqualTo("orders");
        assertThat(s.junctionName("web")).isEqualTo("web");
    }

    @Test
    void badValuesAndUnknownKeysAreRejectedWithTheirPaths() {
        assertThatThrownBy(() -> parse("""
                discovery:
                  nacos:
                    serverAdr: x
                    namespace: 'a b'
                    group: 'G@1'
                    services: [web, 'A@@b', web, Web_App, 'x y']
                    clusters: []
                    username: junction
                    pollInterval: 100ms
                    rename: {nope: other, Web_App: Bad_Name}
                services: []
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("n.yaml:3: discovery.nacos.serverAdr: unknown key (did you mean 'serverAddr'?)")
                .hasMessageContaining("discovery.nacos.serverAddr: missing (required; e.g. serverAddr: 10.0.0.5:8848)")
                .hasMessageContaining("n.yaml:4: discovery.nacos.namespace: \"a b\" is not a namespace id")
                .hasMessageContaining("n.yaml:5: discovery.nacos.group: \"G@1\" is not a group name")
                .hasMessageContaining("discovery.nacos.services[1]: \"A@@b\" is not a Nacos service name")
                .hasMessageContaining("discovery.nacos.services[2]: \"web\" is listed twice")
                .hasMessageContaining("discovery.nacos.services[4]: \"x y\" is not a Nacos service name")
                .hasMessageContaining("n.yaml:7: discovery.nacos.clusters: empty")
                .hasMessageContaining("discovery.nacos.password: missing (username needs a password)")
                .hasMessageContaining("n.yaml:9: discovery.nacos.pollInterval: \"100ms\" is too short (expected: >= 500ms)")
                .hasMessageContaining("discovery.nacos.rename.Web_App: \"Bad_Name\" is not a valid service name");
    }

    @Test
    void everyServiceNeedsADistinctValidJunctionName() {
        assertThatThrownBy(() -> parse("""
                discovery:
                  nacos:
                    serverAddr: 127.0.0.1:8848
                    services: [web, Web_App, orders, legacy-orders]
                    rename: {legacy-orders: orders, ghost: g}
                services: []
                """))
                .hasMessageContaining("discovery.nacos.services[1]: 'Web_App' is not a valid Junction service name;"
                        + " map it with rename, e.g. rename: {Web_App: web-app}")
                .hasMessageContaining("discovery.nacos.services[3]: 'legacy-orders' and 'orders' would both be service"
                        + " 'orders'")
                .hasMessageContaining("discovery.nacos.rename.ghost: renames a service that is not in services");
    }

    @Test
    void badServerAddressesAreNamed() {
        for (String[] c : new String[][] {
                {"'10.0.0.1:99999'", "port '99999' is not in 1..65535"},
                {"'ftp://10.0.0.1'", "scheme 'ftp' is not http or https"},
                {"'10.0.0.1:8848,'", "empty entry"},
                {"'a:1,a:1'", "'a:1' is listed twice"},
                {"'[::1'", "no closing ']'"},
                {"'host_name:1'", "is not a host name or IPv4 address"},
                {"'10.0.0.1:8848/ctx'", "port '8848/ctx' is not in 1..65535"},
                {"[a, b]", "expected a string"}}) {
            assertThatThrownBy(() -> parse("discovery:\n  nacos:\n    serverAddr: " + c[0]
                    + "\n    services: [web]\nservices: []\n"))
                    .as(c[0]).hasMessageContaining("discovery.nacos.serverAddr: ").hasMessageContaining(c[1]);
        }
        assertThatThrownBy(() -> parse("discovery:\n  nacos: [x]\nservices: []\n"))
                .hasMessageContaining("discovery.nacos: expected a mapping");
    }
}
