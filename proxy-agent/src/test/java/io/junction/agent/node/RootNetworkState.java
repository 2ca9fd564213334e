package io.junction.agent.node;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a container-network test must leave as it found it in the test's own (root) namespace: no namespace it created
 * (their names start with the tests' prefix) and exactly the links there were before. Captured before a test and
 * compared after it. Only the test's own namespaces are checked, by name, because other test runs on the same machine
 * (another build of this project included) create and delete namespaces of their own at any time. Test-only;
 * immutable.
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

    /** Fails if one of the namespaces {@code created} is still listed, or the root namespace's links changed. */
    void assertRestored(Set<String> created) throws Exception {
        RootNetworkState now = capture();
        assertThat(now.namespaces()).as("ip netns list after the test: none of %s left", created)
                .doesNotContainAnyElementsOf(created);
        assertThat(now.links()).as("ip link in the root namespace after the test").isEqualTo(links);
    }
}
