package io.junction.agent.discovery.kubernetes;

import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import java.net.InetAddress;
import java.util.HashMap;

/**
 * Fabric8's mock API server in CRUD mode on loopback, restartable on the same port with the same stored objects (the
 * dispatcher holds them, so they survive a stop). Test-only.
 */
public final class MockApi implements AutoCloseable {
    /** Kept here so the level sticks: the mock server logs every request at INFO through java.util.logging. */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        QUIET.setLevel(java.util.logging.Level.WARNING);
    }

    private final KubernetesCrudDispatcher dispatcher;
    private KubernetesMockServer server;
    private int port;

    public MockApi() {
        this(0);
    }

    /** On {@code port} of loopback (0: any free port). */
    public MockApi(int port) {
        this(port, new KubernetesCrudDispatcher());
    }

    /** On any free port of loopback, serving through {@code dispatcher} (a CRUD dispatcher a test adapted). */
    public MockApi(KubernetesCrudDispatcher dispatcher) {
        this(0, dispatcher);
    }

    private MockApi(int port, KubernetesCrudDispatcher dispatcher) {
        this.dispatcher = dispatcher;
        start(port);
    }

    private void start(int p) {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), p);
        port = server.getPort();
    }

    /** A new client of this server; the caller closes it. */
    public NamespacedKubernetesClient client() {
        return server.createClient();
    }

    /** A kubeconfig that points at this server. */
    public String kubeconfig() {
        return kubeconfig(port);
    }

    /** The port the server listens on. */
    public int port() {
        return port;
    }

    /** A kubeconfig that points at {@code serverPort} on loopback (this server, or an {@link io.junction.agent.discovery.OutageRelay} to it). */
    public static String kubeconfig(int serverPort) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: mock
                    cluster: {server: "http://127.0.0.1:%d"}
                users:
                  - name: mock
                    user: {token: secret}
                contexts:
                  - name: mock
                    context: {cluster: mock, user: mock, namespace: default}
                current-context: mock
                """.formatted(serverPort);
    }

    public void stop() {
        server.destroy();
    }

    public void restart() {
        start(port);
    }

    @Override
    public void close() {
        server.destroy();
    }
}
