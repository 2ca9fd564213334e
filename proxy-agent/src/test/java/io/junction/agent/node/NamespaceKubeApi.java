package io.junction.agent.node;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.junction.agent.discovery.kubernetes.MockApi;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Fabric8's mock API server in CRUD mode, to start as a process inside a test's network namespace, where the agent
 * under test runs: that loopback is not the test JVM's. The test drives it through standard input, one command per
 * line: {@code apply <object as JSON>} creates or replaces the object, {@code delete <object as JSON>} deletes it;
 * each command done prints {@code done <n>}. Runs until standard input closes. Test-only.
 */
public final class NamespaceKubeApi {
    private NamespaceKubeApi() {
    }

    /** {@code NamespaceKubeApi <port>}. */
    public static void main(String[] args) throws IOException {
        try (MockApi api = new MockApi(Integer.parseInt(args[0])); KubernetesClient client = api.client()) {
            System.out.println("api listening on " + api.port());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            int done = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                int space = line.indexOf(' ');
                HasMetadata object = client.getKubernetesSerialization().unmarshal(line.substring(space + 1));
                if (line.startsWith("apply ")) {
                    client.resource(object).createOr(NonDeletingOperation::update);
                } else {
                    client.resource(object).delete();
                }
                System.out.println("done " + ++done);
                System.out.flush();
            }
        }
    }
}
