package io.junction.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.agent.discovery.kubernetes.KubernetesSettings;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code discovery.kubernetes} block: its keys, their checks and the node-name default. */
class KubernetesConfigTest {
    @TempDir
    Path dir;

    private static AgentConfig parse(String yaml) {
        return new ConfigLoader().parse(yaml.getBytes(StandardCharsets.UTF_8), "k.yaml");
    }

    private static KubernetesSettings settings(AgentConfig c) {
        assertThat(c.discovery()).singleElement().extracting(DiscoveryBlock::name).isEqualTo("kubernetes");
        return ((KubernetesBlockBinder.KubernetesBlock) c.discovery().get(0)).settings();
    }

    @Test
    void anEmptyBlockWatchesEverythingWithTheDefaults() {
        assertThat(settings(parse("discovery:\n  kubernetes: {}\nservices: []\n")))
                .isEqualTo(new KubernetesSettings(null, null, null, null));
        assertThat(settings(parse("discovery:\n  kubernetes:\nservices: []\n")))
                .isEqualTo(new KubernetesSettings(null, null, null, null));
    }

    @Test
    void everyKey() throws Exception {
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\nkind: Config\n");
        KubernetesSettings s = settings(parse("""
                discovery:
                  kubernetes:
                    kubeconfig: %s
                    nodeName: node-1.example
                    namespace: shop
                    labelSelector: ' app=web,tier!=cache '
                services: []
                """.formatted(kubeconfig)));
        assertThat(s).isEqualTo(new KubernetesSettings(kubeconfig, "node-1.example", "shop", "app=web,tier!=cache"));
        assertThat(s.effectiveNodeName(Map.of("NODE_NAME", "other"))).isEqualTo("node-1.example");
    }

    @Test
    void nodeNameDefaultsToTheEnvironmentThenTheHostName() {
        KubernetesSettings s = new KubernetesSettings(null, null, null, null);
        assertThat(s.effectiveNodeName(Map.of("NODE_NAME", "worker-3"))).isEqualTo("worker-3");
        assertThat(s.effectiveNodeName(Map.of())).isNotNull();
    }

    @Test
    void badValuesAndUnknownKeysAreRejectedWithTheirPaths() {
        assertThatThrownBy(() -> parse("""
                discovery:
                  kubernetes:
                    kubeconfg: /x
                    kubeconfig: /no/such/file
                    nodeName: Node_1
                    namespace: a.b
                    labelSelector: ' '
                services: []
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("k.yaml:3: discovery.kubernetes.kubeconfg: unknown key (did you mean 'kubeconfig'?)")
                .hasMessageContaining("k.yaml:4: discovery.kubernetes.kubeconfig: no readable file at /no/such/file")
                .hasMessageContaining("k.yaml:5: discovery.kubernetes.nodeName: \"Node_1\" is not a node name")
                .hasMessageContaining("k.yaml:6: discovery.kubernetes.namespace: \"a.b\" is not a namespace name")
                .hasMessageContaining("k.yaml:7: discovery.kubernetes.labelSelector: empty");
        assertThatThrownBy(() -> parse("discovery:\n  kubernetes: [a]\nservices: []\n"))
                .hasMessageContaining("discovery.kubernetes: expected a mapping");
    }
}
