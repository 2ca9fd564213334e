package io.junction.agent.discovery.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code discovery.kubernetes} block, validated. Immutable.
 *
 * @param kubeconfig    a kubeconfig file, or null for Fabric8's auto-configuration (in a Pod: the service account;
 *                      elsewhere: {@code $KUBECONFIG} or {@code ~/.kube/config})
 * @param nodeName      this node's name, or null: then {@code $NODE_NAME}, then the host name (as kube-proxy does)
 * @param namespace     the one namespace to watch, or null for all
 * @param labelSelector a label selector for Services, or null for all
 */
public record KubernetesSettings(Path kubeconfig, String nodeName, String namespace, String labelSelector) {

    /** The node name this agent uses: {@code nodeName}, else {@code env NODE_NAME}, else the host name. */
    public String effectiveNodeName(Map<String, String> env) {
        if (nodeName != null) {
            return nodeName;
        }
        String fromEnv = env.get("NODE_NAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return "";
        }
    }

    /** A new client as these settings say. */
    public KubernetesClient client() {
        if (kubeconfig == null) {
            return new KubernetesClientBuilder().build();
        }
        try {
            Config config = Config.fromKubeconfig(Files.readString(kubeconfig, StandardCharsets.UTF_8));
            return new KubernetesClientBuilder().withConfig(config).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kubeconfig " + kubeconfig, e);
        }
    }

    /** A new, unstarted source with its own client, its meters in {@code registry}. */
    public KubernetesSource source(MeterRegistry registry, Clock clock) {
        return new KubernetesSource(client(), true, namespace, labelSelector, effectiveNodeName(System.getenv()),
                registry, clock);
    }
}
