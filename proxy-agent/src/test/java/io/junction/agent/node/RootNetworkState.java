package io.junction.agent.node;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a container-network test must leave as it found it in the test's own (root) namespace: the network namespaces
 * whose names start with the tests' prefix and every link. Captured before a test and compared after it. Only names
 * with the prefix are compared, because other test JVMs on the same machine create and delete their own namespaces
 * ({@code jn-}, {@code jp-}) at any time; surefire runs one class at a time, so nothing else makes {@code jx}
 * namespaces while a test of this family runs. Test-only; immutable.
 */
record RootNetworkState(Set<String> namespaces, Set<String> links) {
    /** The prefix of every namespace the container-network tests create. */
    static final String PREFIX = "jx";

    static RootNetworkState capture() throws Exception {
        Set<String> namespaces = Arrays.stream(TestNamespace.onHost("ip", "netns", "list").split("\n"))
                .map(line -> line.strip().split(" ")[0]).filter(name -> name.startsWith(PREFIX))
                .collect(Collectors.toCollection(TreeSet::new));
        // "2: eth0@if5: <...>": the name, without the peer's index that some link types show after '@'.
        Set<String> links = Arrays.stream(TestNamespace.onHost("ip", "-o", "link", "show").split("\n"))
                .filter(line -> !line.isBlank()).map(line -> line.split(": ")[1].split("@")[0])
                .collect(Collectors.toCollection(TreeSet::new));
        return new RootNetworkState(namespaces, links);
    }

    /** Fails unless the root namespace has exactly the namespaces (of the prefix) and links it had before. */
    void assertRestored() throws Exception {
        RootNetworkState now = capture();
        assertThat(now.namespaces()).as("ip netns list (%s*) after the test", PREFIX).isEqualTo(namespaces);
        assertThat(now.links()).as("ip link in the root namespace after the test").isEqualTo(links);
    }
}
