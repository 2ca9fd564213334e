package io.junction.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.junction.agent.config.AgentConfig;
import io.junction.agent.config.ConfigLoader;
import io.junction.core.model.Protocol;
import io.junction.core.model.ProxyProtocolSend;
import io.junction.core.model.ServiceKey;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The manifests in config/kubernetes: each parses into its Fabric8 model class, with the RBAC and pod settings. */
class KubernetesManifestsTest {
    private static final Path DIR = AgentFixture.repositoryRoot().resolve("config/kubernetes");
    private static final KubernetesSerialization YAML = new KubernetesSerialization();

    private static <T extends HasMetadata> T load(String file, Class<T> type) throws Exception {
        T object = YAML.unmarshal(Files.readString(DIR.resolve(file), StandardCharsets.UTF_8), type);
        assertThat(object.getMetadata().getName()).as(file).isEqualTo("junction");
        return object;
    }

    @Test
    void everyFileIsOneKnownObject() throws Exception {
        try (Stream<Path> files = Files.list(DIR)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted()).containsExactly("clusterrole.yaml",
                    "clusterrolebinding.yaml", "configmap.yaml", "daemonset.yaml", "namespace.yaml",
                    "serviceaccount.yaml", "sidecar");
        }
        load("namespace.yaml", Namespace.class);
        assertThat(load("serviceaccount.yaml", ServiceAccount.class).getMetadata().getNamespace()).isEqualTo("junction");
        ClusterRoleBinding binding = load("clusterrolebinding.yaml", ClusterRoleBinding.class);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getRoleRef().getName()).isEqualTo("junction");
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo("junction");
            assertThat(s.getNamespace()).isEqualTo("junction");
        });
    }

    @Test
    void theClusterRoleGrantsExactlyTheVerbsTheAgentUses() throws Exception {
        ClusterRole role = load("clusterrole.yaml", ClusterRole.class);
        Map<String, List<String>> verbs = new TreeMap<>();
        for (PolicyRule r : role.getRules()) {
            assertThat(r.getNonResourceURLs()).isNullOrEmpty();
            assertThat(r.getResourceNames()).isNullOrEmpty();
            for (String group : r.getApiGroups()) {
                for (String resource : r.getResources()) {
                    verbs.put(group + "/" + resource, r.getVerbs().stream().sorted().toList());
                }
            }
        }
        assertThat(verbs).isEqualTo(Map.of(
                "/services", List.of("get", "list", "watch"),
                "discovery.k8s.io/endpointslices", List.of("get", "list", "watch"),
                "/events", List.of("create", "patch")));
    }

    @Test
    void theDaemonSetRunsOnTheHostNetworkWithTwoCapabilitiesAndAdminProbes() throws Exception {
        DaemonSet ds = load("daemonset.yaml", DaemonSet.class);
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getServiceAccountName()).isEqualTo("junction");
        assertThat(pod.getAdditionalProperties()).isEmpty();
        Container c = pod.getContainers().get(0);
        assertThat(c.getAdditionalProperties()).isEmpty();
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("NODE_NAME");
            assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
        });
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getSecurityContext().getCapabilities().getAdd())
                .containsExactlyInAnyOrder("NET_ADMIN", "NET_BIND_SERVICE");
        assertThat(c.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(c.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(9901);
        assertThat(c.getLivenessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(9901);
        assertThat(c.getVolumeMounts()).singleElement().satisfies(m ->
                assertThat(m.getMountPath()).isEqualTo("/etc/junction"));
        assertThat(c.getArgs()).containsExactly("run", "--config", "/etc/junction/junction.yaml");
    }

    @Test
    void theConfigMapHoldsAConfigTheAgentAcceptsWithAKubernetesBlockAndTheProbedAdminPort() throws Exception {
        ConfigMap cm = load("configmap.yaml", ConfigMap.class);
        AgentConfig config = new ConfigLoader().parse(cm.getData().get("junction.yaml"), "configmap.yaml");
        assertThat(config.discovery()).singleElement().satisfies(b -> assertThat(b.name()).isEqualTo("kubernetes"));
        assertThat(config.adminListen().getPort()).isEqualTo(9901);
        assertThat(config.adminListen().getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void theSidecarExampleIsAPodWithJunctionAsANativeSidecarAndAConfigTheAgentAccepts() throws Exception {
        Path dir = DIR.resolve("sidecar");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted()).containsExactly("configmap.yaml",
                    "pod.yaml", "rolebinding.yaml", "serviceaccount.yaml");
        }
        ServiceAccount account = YAML.unmarshal(Files.readString(dir.resolve("serviceaccount.yaml")),
                ServiceAccount.class);
        RoleBinding binding = YAML.unmarshal(Files.readString(dir.resolve("rolebinding.yaml")), RoleBinding.class);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getRoleRef().getName()).isEqualTo(load("clusterrole.yaml", ClusterRole.class)
                .getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo(account.getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo(account.getMetadata().getNamespace());
        });

        Pod pod = YAML.unmarshal(Files.readString(dir.resolve("pod.yaml")), Pod.class);
        assertThat(pod.getAdditionalProperties()).isEmpty();
        assertThat(pod.getSpec().getServiceAccountName()).isEqualTo(account.getMetadata().getName());
        Container junction = pod.getSpec().getInitContainers().get(0);
        assertThat(junction.getAdditionalProperties()).isEmpty();
        assertThat(junction.getRestartPolicy()).isEqualTo("Always");
        assertThat(junction.getArgs()).containsExactly("run", "--config", "/etc/junction/junction.yaml");
        assertThat(junction.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(junction.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(junction.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(pod.getSpec().getContainers()).singleElement().satisfies(app ->
                assertThat(app.getName()).isEqualTo("app"));
        String configMapName = pod.getSpec().getVolumes().get(0).getConfigMap().getName();

        ConfigMap cm = YAML.unmarshal(Files.readString(dir.resolve("configmap.yaml")), ConfigMap.class);
        assertThat(cm.getMetadata().getName()).isEqualTo(configMapName);
        AgentConfig config = new ConfigLoader().parse(cm.getData().get("junction.yaml"), "sidecar/configmap.yaml");
        assertThat(config.discovery()).singleElement().satisfies(b -> assertThat(b.name()).isEqualTo("kubernetes"));
        assertThat(config.adminListen().getPort())
                .isEqualTo(junction.getReadinessProbe().getHttpGet().getPort().getIntVal());
        ServiceKey inbound = new ServiceKey("shop", "web-inbound", "", Protocol.TCP);
        assertThat(config.spec(inbound).tcp().proxyProtocol()).isEqualTo(ProxyProtocolSend.V2);
        assertThat(config.spec(inbound).listen().getPort()).isEqualTo(8080);
        assertThat(config.spec(new ServiceKey("shop", "orders", "http", Protocol.TCP)).listen())
                .isEqualTo(new InetSocketAddress("127.0.0.1", 9080));
    }
}
