package io.junction.bench.footprint;

import javax.management.JMException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live objects per class, as {@code jcmd <pid> GC.class_histogram} prints them (taken in-process through the
 * DiagnosticCommand MBean, which runs a full GC first). Immutable.
 *
 * @param classes class name to its live instances and bytes
 */
public record ClassHistogram(Map<String, Entry> classes) {
    /** One histogram line: live instances and their shallow bytes. Immutable. */
    public record Entry(long instances, long bytes) {
    }

    /**
     * One class's change between two runs, per connection. Immutable.
     *
     * @param className             as the histogram prints it
     * @param bytesPerConnection    (proxied delta / its N) − (direct delta / its N)
     * @param instancesPerConnection same for the instance count
     */
    public record Diff(String className, double bytesPerConnection, double instancesPerConnection) {
    }

    // "   1:         12345        1234567  [B (java.base@17.0.15)"; the module suffix is dropped.
    private static final Pattern LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");

    public ClassHistogram {
        classes = Map.copyOf(classes);
    }

    /** Takes a histogram of this JVM (a full GC, then a heap walk). Any thread; blocks for the GC. */
    public static ClassHistogram take() {
        try {
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            return parse((String) out);
        } catch (JMException e) {
            throw new IllegalStateException("GC.class_histogram through the DiagnosticCommand MBean failed: " + e, e);
        }
    }

    /** Parses {@code GC.class_histogram} output; header, separator and total lines are skipped. */
    public static ClassHistogram parse(String text) {
        Map<String, Entry> m = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher matcher = LINE.matcher(line);
            if (matcher.matches()) {
                // Two lines can share a name when the same class is loaded by two loaders; they add up.
                m.merge(matcher.group(3), new Entry(Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2))),
                        (a, b) -> new Entry(a.instances + b.instances, a.bytes + b.bytes));
            }
        }
        return new ClassHistogram(m);
    }

    /** This histogram minus {@code earlier}, per class (classes missing from one side count as zero). */
    public Map<String, Entry> minus(ClassHistogram earlier) {
        Set<String> names = new HashSet<>(classes.keySet());
        names.addAll(earlier.classes.keySet());
        Map<String, Entry> d = new HashMap<>();
        Entry zero = new Entry(0, 0);
        for (String n : names) {
            Entry a = classes.getOrDefault(n, zero);
            Entry b = earlier.classes.getOrDefault(n, zero);
            d.put(n, new Entry(a.instances - b.instances, a.bytes - b.bytes));
        }
        return d;
    }

    /**
     * The classes whose per-connection growth differs most between a direct run and a proxied run, largest first by
     * absolute bytes.
     *
     * @param directDelta   after minus before of the direct run
     * @param proxiedDelta  after minus before of the proxied run
     * @param limit         how many classes to return
     */
    public static List<Diff> topDiffs(Map<String, Entry> directDelta, int directConnections,
                                      Map<String, Entry> proxiedDelta, int proxiedConnections, int limit) {
        if (directConnections <= 0 || proxiedConnections <= 0) {
            throw new IllegalArgumentException("connections: " + directConnections + "/" + proxiedConnections
                    + " (expected: both > 0)");
        }
        Set<String> names = new HashSet<>(directDelta.keySet());
        names.addAll(proxiedDelta.keySet());
        Entry zero = new Entry(0, 0);
        List<Diff> diffs = new ArrayList<>();
        for (String n : names) {
            Entry d = directDelta.getOrDefault(n, zero);
            Entry p = proxiedDelta.getOrDefault(n, zero);
            double bytes = (double) p.bytes / proxiedConnections - (double) d.bytes / directConnections;
            double instances = (double) p.instances / proxiedConnections - (double) d.instances / directConnections;
            if (bytes != 0 || instances != 0) {
                diffs.add(new Diff(n, bytes, instances));
            }
        }
        diffs.sort(Comparator.comparingDouble((Diff x) -> -Math.abs(x.bytesPerConnection()))
                .thenComparing(Diff::className));
        return List.copyOf(diffs.subList(0, Math.min(limit, diffs.size())));
    }

    /** One run's histogram delta alone, per connection, largest growth first (for a single-target run). */
    public static List<Diff> topGrowth(Map<String, Entry> delta, int connections, int limit) {
        return topDiffs(Map.of(), 1, delta, connections, limit);
    }
}
