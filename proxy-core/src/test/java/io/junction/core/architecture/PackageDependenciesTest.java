package io.junction.core.architecture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package rules of docs/architecture.md, read from the sources' import lines: discovery → state → lb → forward,
 * with model, clock and metrics below them all and health checking on top; no cycles; the balancer knows nothing of
 * Netty's channels.
 */
class PackageDependenciesTest {
    private static final Path MAIN = Path.of("src", "main", "java", "io", "junction", "core");
    private static final Pattern IMPORT = Pattern.compile("(?m)^import (?:static )?([a-zA-Z0-9_.]+)\\.[A-Za-z0-9_*]+;");

    /** Package (under io.junction.core) to every fully qualified import of its main sources. */
    private static final Map<String, Set<String>> IMPORTS = new TreeMap<>();

    @BeforeAll
    static void scan() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = MAIN.relativize(f.getParent()).toString().replace('/', '.');
                Matcher m = IMPORT.matcher(Files.readString(f));
                Set<String> imports = IMPORTS.computeIfAbsent(pkg, k -> new TreeSet<>());
                while (m.find()) {
                    imports.add(m.group(1));
                }
            }
        }
        assertThat(IMPORTS).as("packages found under %s", MAIN.toAbsolutePath()).containsKeys("state", "lb");
    }

    /** The core packages {@code pkg} (and its sub-packages) import. */
    private static Set<String> corePackagesUsedBy(String pkg) {
        Set<String> used = new TreeSet<>();
        IMPORTS.forEach((p, imports) -> {
            if (p.equals(pkg) || p.startsWith(pkg + ".")) {
                for (String i : imports) {
                    if (i.startsWith("io.junction.core.")) {
                        String top = i.substring("io.junction.core.".length()).split("\\.")[0];
                        if (!top.equals(pkg)) {
                            used.add(top);
                        }
                    }
                }
            }
        });
        return used;
    }

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        assertThat(corePackagesUsedBy("model")).isEmpty();
        assertThat(corePackagesUsedBy("clock")).isEmpty();
        assertThat(corePackagesUsedBy("metrics")).isSubsetOf("model");
        assertThat(corePackagesUsedBy("discovery")).isSubsetOf("model");
        assertThat(corePackagesUsedBy("lb")).isSubsetOf("model", "clock");
        assertThat(corePackagesUsedBy("state")).isSubsetOf("model", "clock", "metrics", "discovery", "lb");
        assertThat(corePackagesUsedBy("forward"))
                .isSubsetOf("model", "clock", "metrics", "lb", "state");
        assertThat(corePackagesUsedBy("health"))
                .isSubsetOf("model", "clock", "metrics", "lb", "state", "forward");
    }

    @Test
    void healthCheckingSitsOnTopAndNothingInTheCoreUsesIt() {
        IMPORTS.keySet().stream()
                .map(p -> p.split("\\.")[0])
                .filter(top -> !top.equals("health"))
                .distinct()
                .forEach(top -> assertThat(corePackagesUsedBy(top)).as("packages %s uses", top)
                        .doesNotContain("health"));
    }

    @Test
    void theControlPlaneNeverReachesIntoForwarding() {
        assertThat(corePackagesUsedBy("state")).doesNotContain("forward");
    }

    @Test
    void theBalancerIsTransportNeutral() {
        List<String> channelImports = new ArrayList<>();
        IMPORTS.forEach((p, imports) -> {
            if (p.equals("lb")) {
                imports.stream().filter(i -> i.startsWith("io.netty.channel")).forEach(channelImports::add);
            }
        });
        assertThat(channelImports).isEmpty();
    }

    @Test
    void theCorePackagesFormNoCycle() {
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String pkg : IMPORTS.keySet()) {
            String top = pkg.split("\\.")[0];
            graph.computeIfAbsent(top, k -> new TreeSet<>()).addAll(corePackagesUsedBy(top));
        }
        for (String start : graph.keySet()) {
            assertThat(reaches(graph, start, start, new TreeSet<>())).as("%s depends on itself through %s", start,
                    graph.get(start)).isFalse();
        }
    }

    private static boolean reaches(Map<String, Set<String>> graph, String from, String target, Set<String> seen) {
        for (String next : graph.getOrDefault(from, Set.of())) {
            if (next.equals(target)) {
                return true;
            }
            if (seen.add(next) && reaches(graph, next, target, seen)) {
                return true;
            }
        }
        return false;
    }
}
