package io.junction.agent.node;

import java.util.stream.Collectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The namespaces of one container-network test: made on demand (names {@code jx-<role><random>}), deleted in reverse
 * order (containers before the hosts that hold their bridges and parents), and then the proof that the test's own
 * namespace is as it was ({@link RootNetworkState}). Not an AutoCloseable: its close asserts, and runs in
 * {@code @AfterEach}. Test-only; used by the test's thread.
 */
final class ContainerTestbed {
    private final Path logs;
    private final RootNetworkState before;
    private final List<TestNamespace> namespaces = new ArrayList<>();

    private ContainerTestbed(Path logs, RootNetworkState before) {
        this.logs = logs;
        this.before = before;
    }

    /** Captures the root namespace's state; call after the root assumption, before making anything. */
    static ContainerTestbed open(Path logs) throws Exception {
        return new ContainerTestbed(logs, RootNetworkState.capture());
    }

    /** A new namespace for {@code role} ("host-", "b1-"...), deleted by {@link #close}. */
    TestNamespace namespace(String role) throws Exception {
        TestNamespace ns = TestNamespace.create(RootNetworkState.PREFIX + "-" + role, logs);
        namespaces.add(ns);
        return ns;
    }

    /** Deletes every namespace (a second delete of one already gone is harmless), then asserts the teardown. */
    void close() throws Exception {
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            namespaces.get(i).close();
        }
        before.assertRestored(namespaces.stream().map(TestNamespace::name).collect(Collectors.toSet()));
    }
}
