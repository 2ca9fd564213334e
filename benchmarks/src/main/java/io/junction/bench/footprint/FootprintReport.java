package io.junction.bench.footprint;

import io.junction.bench.report.HostInfo;
import io.junction.bench.report.MarkdownReport;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Renders an idle-footprint result as Markdown (a table of per-connection bytes per target and for the proxy) and
 * as JSON (every raw sample, so figures can be recomputed). Thread-safe (stateless).
 */
public final class FootprintReport {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private FootprintReport() {
    }

    public static String markdown(String title, HostInfo host, IdleFootprint.Result r) {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(title).append("\n\n");
        b.append(host.describe()).append("\n\n");
        b.append("Idle connections held open in one JVM (client, in-process backend and, for `junction`, an"
                + " in-process Junction TCP listener with default settings, ").append(r.settings().proxyThreads())
                .append(" worker thread(s), transport ").append(r.transport()).append("). Bytes per connection after"
                + " forced GCs, held minus before; kernel socket memory is not included.\n\n");
        List<String> header = new ArrayList<>(List.of("bytes per connection"));
        for (RunMeasurement m : r.runs()) {
            header.add(m.target() + " (N=" + String.format(java.util.Locale.ROOT, "%,d", m.connections()) + ")");
        }
        if (r.cost() != null) {
            header.add("proxy cost (junction − direct)");
        }
        b.append("| ").append(String.join(" | ", header)).append(" |\n");
        b.append("|").append(" --- |".repeat(header.size())).append("\n");
        row(b, r, "heap", RunMeasurement::heapPerConnection, r.cost() == null ? 0 : r.cost().heapPerConnection());
        row(b, r, "direct (all)", RunMeasurement::directPerConnection,
                r.cost() == null ? 0 : r.cost().directPerConnection());
        row(b, r, "  of which Netty no-cleaner", m -> (double) m.nettyDirectDelta() / m.connections(), Double.NaN);
        row(b, r, "  of which JDK direct buffers", m -> (double) m.jdkDirectDelta() / m.connections(), Double.NaN);
        row(b, r, "Netty allocator direct (subset)", m -> (double) m.allocatorDirectDelta() / m.connections(),
                Double.NaN);
        row(b, r, "**heap + direct**", RunMeasurement::totalPerConnection,
                r.cost() == null ? 0 : r.cost().totalPerConnection());
        b.append("\n");
        if (r.cost() != null) {
            ProxyCost c = r.cost();
            b.append(String.format(java.util.Locale.ROOT,
                    "Proxy cost: **%,.0f B per idle connection** (heap %,.0f B + direct %,.0f B) against a target of"
                            + " %,d B: **%s**.%n%n", c.totalPerConnection(), c.heapPerConnection(),
                    c.directPerConnection(), c.targetBytes(), c.withinTarget() ? "within target" : "OVER target"));
        }
        if (!r.histogram().isEmpty()) {
            b.append(r.cost() != null ? "Heap by class, per connection, junction run minus direct run"
                    : "Heap growth by class, per connection").append(" (GC.class_histogram, shallow sizes):\n\n");
            b.append("| class | bytes/conn | instances/conn |\n| --- | --- | --- |\n");
            for (ClassHistogram.Diff d : r.histogram()) {
                b.append("| `").append(d.className()).append("` | ").append(MarkdownReport.fmt(d.bytesPerConnection(), 0))
                        .append(" | ").append(MarkdownReport.fmt(d.instancesPerConnection(), 2)).append(" |\n");
            }
            b.append("\n");
        }
        return b.toString();
    }

    private static void row(StringBuilder b, IdleFootprint.Result r, String label, ToDoubleFunction<RunMeasurement> f,
                            double proxy) {
        b.append("| ").append(label);
        for (RunMeasurement m : r.runs()) {
            b.append(" | ").append(MarkdownReport.fmt(f.applyAsDouble(m), 0));
        }
        if (r.cost() != null) {
            b.append(" | ").append(MarkdownReport.fmt(proxy, 0));
        }
        b.append(" |\n");
    }

    public static String json(String startedAt, HostInfo host, IdleFootprint.Result r) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("tool", "junction-bench");
        root.put("mode", "idle-footprint");
        root.put("startedAt", startedAt);
        root.put("host", host);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("connections", r.settings().connections());
        spec.put("proxyThreads", r.settings().proxyThreads());
        spec.put("transport", r.transport());
        spec.put("messageBytes", IdleFootprint.MESSAGE.length);
        spec.put("settleMillis", r.settings().settle().toMillis());
        root.put("spec", spec);
        List<Object> runs = new ArrayList<>();
        for (RunMeasurement m : r.runs()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("target", m.target());
            o.put("connections", m.connections());
            o.put("openMillis", m.openMillis());
            o.put("before", m.before());
            o.put("after", m.after());
            o.put("heapPerConnection", m.heapPerConnection());
            o.put("directPerConnection", m.directPerConnection());
            o.put("totalPerConnection", m.totalPerConnection());
            runs.add(o);
        }
        root.put("runs", runs);
        if (r.cost() != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("heapPerConnection", r.cost().heapPerConnection());
            c.put("directPerConnection", r.cost().directPerConnection());
            c.put("totalPerConnection", r.cost().totalPerConnection());
            c.put("targetBytes", r.cost().targetBytes());
            c.put("withinTarget", r.cost().withinTarget());
            root.put("proxyCost", c);
        }
        root.put("histogram", r.histogram());
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    }
}
