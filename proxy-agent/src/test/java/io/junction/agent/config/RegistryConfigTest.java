package io.junction.agent.config;

import io.junction.core.model.Cidr;
import io.junction.agent.registry.RegistrySettings;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code discovery.registry} block: every key, its default, and each rejection naming the field. */
class RegistryConfigTest {

    private static AgentConfig parse(String yaml) {
        return new ConfigLoader().parse(yaml.getBytes(StandardCharsets.UTF_8), "r.yaml");
    }

    private static RegistrySettings settings(AgentConfig c) {
        assertThat(c.discovery()).singleElement().extracting(DiscoveryBlock::name).isEqualTo("registry");
        return ((RegistryBlockBinder.RegistryBlock) c.discovery().get(0)).settings();
    }

    private static RegistrySettings bind(String block, Map<String, String> env) {
        Problems problems = new Problems("r.yaml");
        YamlNode root = YamlTreeReader.read("registry:" + block, problems);
        DiscoveryBlock b = new RegistryBlockBinder(env, "/home/u").bind(root.field("registry"), "discovery.registry",
                new FieldReader(problems));
        problems.throwIfAny();
        return ((RegistryBlockBinder.RegistryBlock) b).settings();
    }

    @Test
    void anEmptyBlockTakesEveryDefault() {
        RegistrySettings s = settings(parse("discovery:\n  registry: {}\nservices: []\n"));
        assertThat(s.listen()).isEqualTo(new InetSocketAddress("127.0.0.1", 8500));
        assertThat(s.token()).isNull();
        assertThat(s.allowedCidrs()).isEmpty();
        assertThat(s.allowLoopback()).isFalse();
        assertThat(s.allowLinkLocal()).isFalse();
        assertThat(s.maxBodySize()).isEqualTo(1 << 20);
        assertThat(s.requestsPerSecond()).isEqualTo(50);
        assertThat(s.burst()).isEqualTo(100);
        assertThat(s.stateFile().getFileName()).hasToString("registry.json");
        assertThat(settings(parse("discovery:\n  registry:\nservices: []\n")).listen()).isEqualTo(s.listen());
    }

    @Test
    void theStateFileFollowsSystemdThenXdgThenHome() {
        assertThat(bind(" {}", Map.of("STATE_DIRECTORY", "/var/lib/junction:/var/lib/other",
                "XDG_STATE_HOME", "/x")).stateFile()).isEqualTo(Path.of("/var/lib/junction/registry.json"));
        assertThat(bind(" {}", Map.of("XDG_STATE_HOME", "/x/state")).stateFile())
                .isEqualTo(Path.of("/x/state/junction/registry.json"));
        assertThat(bind(" {}", Map.of("XDG_STATE_HOME", "relative")).stateFile())
                .isEqualTo(Path.of("/home/u/.local/state/junction/registry.json"));
        assertThat(bind(" {}", Map.of()).stateFile()).isEqualTo(Path.of("/home/u/.local/state/junction/registry.json"));
    }

    @Test
    void everyKey() {
        RegistrySettings s = settings(parse("""
                discovery:
                  registry:
                    listen: "[::1]:18500"
                    stateFile: /srv/junction/reg.json
                    token: s3cret-T0ken
                    allowedCidrs: [10.0.0.0/8, "fd00::/8", 192.168.1.7]
                    allowLoopback: true
                    allowLinkLocal: true
                    maxBodySize: 64KiB
                    rateLimit: {requestsPerSecond: 5, burst: 20}
                services: []
                """));
        assertThat(s).isEqualTo(new RegistrySettings(new InetSocketAddress("::1", 18500),
                Path.of("/srv/junction/reg.json"), "s3cret-T0ken",
                List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8"), Cidr.parse("192.168.1.7/32")),
                true, true, 64 * 1024, 5, 20));
    }

    @Test
    void everyBadValueIsNamed() {
        assertThatThrownBy(() -> parse("""
                discovery:
                  registry:
                    listn: 127.0.0.1:8500
                    listen: localhost:8500
                    stateFile: relative/reg.json
                    token: "has space"
                    allowedCidrs: [10.0.0.0/33, 300.1.1.1, example.com]
                    allowLoopback: yes please
                    allowLinkLocal: 1
                    maxBodySize: 10
                    rateLimit: {requestsPerSecond: 0, burst: -1, brust: 3}
                services: []
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("discovery.registry.listn: unknown key (did you mean 'listen'?)")
                .hasMessageContaining("discovery.registry.listen: ")
                .hasMessageContaining("the host must be an IP address")
                .hasMessageContaining("discovery.registry.stateFile: ")
                .hasMessageContaining("is not an absolute file path")
                .hasMessageContaining("discovery.registry.token: must be 1..512 printable ASCII")
                .hasMessageContaining("discovery.registry.allowedCidrs[0]: ")
                .hasMessageContaining("prefix length 33 is out of range")
                .hasMessageContaining("discovery.registry.allowedCidrs[1]: ")
                .hasMessageContaining("discovery.registry.allowedCidrs[2]: ")
                .hasMessageContaining("discovery.registry.allowLoopback: expected true or false")
                .hasMessageContaining("discovery.registry.allowLinkLocal: expected true or false")
                .hasMessageContaining("discovery.registry.maxBodySize: ")
                .hasMessageContaining("is out of range (expected: 1024..67108864)")
                .hasMessageContaining("discovery.registry.rateLimit.requestsPerSecond: ")
                .hasMessageContaining("discovery.registry.rateLimit.burst: ")
                .hasMessageContaining("discovery.registry.rateLimit.brust: unknown key (did you mean 'burst'?)");
    }

    @Test
    void shapesAreChecked() {
        assertThatThrownBy(() -> parse("discovery:\n  registry: [a]\nservices: []\n"))
                .hasMessageContaining("discovery.registry: expected a mapping");
        assertThatThrownBy(() -> parse("discovery:\n  registry:\n    allowedCidrs: []\nservices: []\n"))
                .hasMessageContaining("discovery.registry.allowedCidrs: an empty list would refuse every address");
        assertThatThrownBy(() -> parse("discovery:\n  registry:\n    allowedCidrs: 10.0.0.0/8\nservices: []\n"))
                .hasMessageContaining("discovery.registry.allowedCidrs: expected a list");
        assertThatThrownBy(() -> parse("discovery:\n  registry:\n    rateLimit: 5\nservices: []\n"))
                .hasMessageContaining("discovery.registry.rateLimit: expected a mapping");
        assertThatThrownBy(() -> parse("discovery:\n  registy: {}\nservices: []\n"))
                .hasMessageContaining("discovery.registy: unknown key (did you mean 'registry'?)");
    }

    @Test
    void cidrsContainWhatTheySay() {
        Cidr ten = Cidr.parse("10.1.2.3/8");
        assertThat(ten).hasToString("10.0.0.0/8");
        assertThat(ten.contains(Cidr.parse("10.255.0.1").network())).isTrue();
        assertThat(ten.contains(Cidr.parse("11.0.0.1").network())).isFalse();
        assertThat(ten.contains(Cidr.parse("::1").network())).isFalse();
        assertThat(Cidr.parse("fd00::/8").contains(Cidr.parse("fd12::5").network())).isTrue();
        assertThat(Cidr.parse("0.0.0.0/0").contains(Cidr.parse("8.8.8.8").network())).isTrue();
    }
}
