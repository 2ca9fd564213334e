package io.junction.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.agent.discovery.zookeeper.ZooKeeperSettings;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The {@code discovery.zookeeper} block: its keys, defaults and every rejection, each naming the field. */
class ZooKeeperConfigTest {
    private static AgentConfig parse(String block) {
        String yaml = "discovery:\n  zookeeper:\n" + block.indent(4) + "services: []\n";
        return new ConfigLoader().parse(yaml.getBytes(StandardCharsets.UTF_8), "z.yaml");
    }

    private static ZooKeeperSettings settings(String block) {
        AgentConfig c = parse(block);
        assertThat(c.discovery()).singleElement().extracting(DiscoveryBlock::name).isEqualTo("zookeeper");
        return ((ZooKeeperBlockBinder.ZooKeeperBlock) c.discovery().get(0)).settings();
    }

    private static void rejected(String block, String... messages) {
        assertThatThrownBy(() -> parse(block)).isInstanceOf(ConfigException.class)
                .satisfies(e -> {
                    for (String m : messages) {
                        assertThat(e.getMessage()).contains(m);
                    }
                });
    }

    @Test
    void onlyConnectIsRequired() {
        assertThat(settings("connect: zk1:2181")).isEqualTo(ZooKeeperSettings.of("zk1:2181"));
        assertThat(ZooKeeperSettings.of("zk1:2181")).isEqualTo(new ZooKeeperSettings("zk1:2181", "/services",
                Duration.ofSeconds(60), Duration.ofSeconds(15), Set.of(), Map.of()));
    }

    @Test
    void everyKey() {
        ZooKeeperSettings s = settings("""
                connect: zk1.example:2181,10.0.0.2:2182/apps/prod
                basePath: /registry
                sessionTimeout: 30s
                connectionTimeout: 5s
                services: [orders, Billing_V2]
                rename: {Billing_V2: billing}
                """);
        assertThat(s).isEqualTo(new ZooKeeperSettings("zk1.example:2181,10.0.0.2:2182/apps/prod", "/registry",
                Duration.ofSeconds(30), Duration.ofSeconds(5), Set.of("orders", "Billing_V2"),
                Map.of("Billing_V2", "billing")));
        assertThat(s.junctionName("Billing_V2")).isEqualTo("billing");
        assertThat(s.junctionName("orders")).isEqualTo("orders");
        assertThat(s.watches("orders")).isTrue();
        assertThat(s.watches("other")).isFalse();
    }

    @Test
    void badValuesAreRejectedNamingTheField() {
        rejected("basePath: /x", "discovery.zookeeper.connect", "required");
        rejected("connect: zk1", "discovery.zookeeper.connect", "not host:port");
        rejected("connect: 'zk1:2181,'", "discovery.zookeeper.connect", "has ''");
        rejected("connect: zk1:99999", "discovery.zookeeper.connect", "port 99999");
        rejected("connect: zk1:2181/apps/", "discovery.zookeeper.connect", "bad chroot");
        rejected("connect: zk1:2181\nbasePath: services", "discovery.zookeeper.basePath", "absolute path");
        rejected("connect: zk1:2181\nbasePath: /a//b", "discovery.zookeeper.basePath", "is empty");
        rejected("connect: zk1:2181\nsessionTimeout: 60", "discovery.zookeeper.sessionTimeout", "needs a unit");
        rejected("connect: zk1:2181\nconnectionTimeout: 0s", "discovery.zookeeper.connectionTimeout",
                "expected: > 0");
        rejected("connect: zk1:2181\nsessionTimeout: 2h", "discovery.zookeeper.sessionTimeout", "too long");
        rejected("connect: zk1:2181\nservices: []", "discovery.zookeeper.services", "empty");
        rejected("connect: zk1:2181\nservices: [a, a]", "discovery.zookeeper.services[1]", "duplicate");
        rejected("connect: zk1:2181\nservices: ['a/b']", "discovery.zookeeper.services[0]", "'/'");
        rejected("connect: zk1:2181\nservices: web", "discovery.zookeeper.services", "expected a list");
        rejected("connect: zk1:2181\nrename: {Web: Web}", "discovery.zookeeper.rename.Web", "not a valid service name");
        rejected("connect: zk1:2181\nrename: [a]", "discovery.zookeeper.rename", "expected a mapping");
        rejected("connect: zk1:2181\nsesionTimeout: 1s", "discovery.zookeeper.sesionTimeout",
                "did you mean 'sessionTimeout'");
    }

    @Test
    void anEmptyBlockNamesTheMissingConnect() {
        assertThatThrownBy(() -> new ConfigLoader().parse("discovery:\n  zookeeper:\nservices: []\n"
                .getBytes(StandardCharsets.UTF_8), "z.yaml")).hasMessageContaining("discovery.zookeeper.connect")
                .hasMessageContaining("required");
    }
}
