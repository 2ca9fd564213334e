package io.junction.bench.report;

import io.junction.bench.load.Mode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Renders mode reports as Markdown tables. Pure; thread-safe (stateless).
 */
public final class MarkdownReport {
    private MarkdownReport() {
    }

    private record Column(String header, Function<TargetSummary, String> cell) {
    }

    public static String render(String title, HostInfo host, List<ModeReport> reports) {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(title).append("\n\n");
        b.append("Host: ").append(host.describe()).append(".\n\n");
        if (host.busy()) {
            b.append("> **Warning:** the machine was busy when the run started (load average ")
                    .append(fmt(host.loadAverage(), 2)).append(" on ").append(host.cores())
                    .append(" cores); other processes compete with the proxies and the generator, so expect"
                            + " noisy numbers.\n\n");
        }
        for (ModeReport r : reports) {
            b.append(renderMode(r)).append('\n');
        }
        return b.toString();
    }

    public static String renderMode(ModeReport r) {
        Mode mode = r.spec().mode();
        StringBuilder b = new StringBuilder();
        b.append("## ").append(mode.cliName()).append(": ").append(r.spec().describe()).append("\n\n");
        b.append(r.rounds() == 1 ? "1 round (" : r.rounds() + " interleaved rounds (")
                .append(String.join(" → ", r.order()))
                .append(") × ").append(seconds(r.spec().duration().toMillis()));
        if (r.fromStart()) {
            b.append(" s from start: each proxy launched afresh before each of its rounds and measured from the"
                    + " moment it listened, with no warm-up and no priming (");
            b.append(r.prime().isZero() ? "the generator was not primed either"
                    : "the generator was primed for " + seconds(r.prime().toMillis()) + " s straight against the"
                            + " backend");
            b.append("); medians across rounds.\n\n");
        } else {
            b.append(" s, warm-up ").append(seconds(r.spec().warmup().toMillis())).append(" s, after one unrecorded ")
                    .append(seconds(r.prime().toMillis())).append(" s priming pass per target; medians across"
                            + " rounds.\n\n");
        }
        List<Column> cols = columns(mode, has(r, Summaries.DIRECT), has(r, Summaries.HAPROXY));
        StringBuilder header = new StringBuilder("|");
        StringBuilder rule = new StringBuilder("|");
        for (Column c : cols) {
            header.append(' ').append(c.header()).append(" |");
            rule.append(c == cols.get(0) ? " --- |" : " ---: |");
        }
        b.append(header).append('\n').append(rule).append('\n');
        for (TargetSummary s : r.summaries()) {
            b.append('|');
            for (Column c : cols) {
                b.append(' ').append(c.cell().apply(s)).append(" |");
            }
            b.append('\n');
        }
        String cpu = cpuLine(mode, r.summaries());
        if (!cpu.isEmpty()) {
            b.append('\n').append(cpu);
        }
        r.summaries().stream()
                .filter(s -> s.target().equals(Summaries.DIRECT) && s.lossPercent() > 0.1)
                .findFirst()
                .ifPresent(s -> b.append("\n> **Note:** direct lost ").append(fmt(s.lossPercent(), 2))
                        .append(" % of datagrams with no proxy in the path: the generator or backend is saturated"
                                + " (or the machine is busy); lower --rate before comparing proxies.\n"));
        b.append(perSecondTable(r));
        if (!r.skipped().isEmpty()) {
            b.append('\n');
            for (Map.Entry<String, String> e : r.skipped().entrySet()) {
                b.append("- not run: **").append(e.getKey()).append("**: ")
                        .append(e.getValue().replace("\n", " ")).append('\n');
            }
        }
        return b.toString();
    }

    /**
     * {@code --from-start}: the rate in each second of the window (median across rounds) per target, and the
     * whole-window figure under it; an empty string for other runs.
     */
    static String perSecondTable(ModeReport r) {
        if (!r.fromStart()) {
            return "";
        }
        Mode mode = r.spec().mode();
        List<double[]> series = new ArrayList<>();
        int seconds = 0;
        for (String target : r.order()) {
            double[] s = Summaries.perSecondMedians(r.results().stream().filter(x -> x.target().equals(target))
                    .toList());
            series.add(s);
            seconds = Math.max(seconds, s.length);
        }
        StringBuilder b = new StringBuilder();
        b.append("\n### ").append(mode.cliName()).append(": ").append(mode.primaryUnit())
                .append(" in each second after launch (median of ").append(r.rounds())
                .append(r.rounds() == 1 ? " round" : " rounds").append(")\n\n");
        b.append("| second |");
        StringBuilder rule = new StringBuilder("| ---: |");
        for (String target : r.order()) {
            b.append(' ').append(target).append(" |");
            rule.append(" ---: |");
        }
        b.append('\n').append(rule).append('\n');
        for (int i = 0; i < seconds; i++) {
            b.append("| ").append(i + 1).append(" |");
            for (double[] s : series) {
                b.append(' ').append(count(i < s.length ? s[i] : Double.NaN)).append(" |");
            }
            b.append('\n');
        }
        b.append("| whole window |");
        for (String target : r.order()) {
            double whole = r.summaries().stream().filter(s -> s.target().equals(target))
                    .mapToDouble(TargetSummary::primary).findFirst().orElse(Double.NaN);
            b.append(' ').append(count(whole)).append(" |");
        }
        return b.append('\n').toString();
    }

    private static boolean has(ModeReport r, String target) {
        return r.summaries().stream().anyMatch(s -> s.target().equals(target));
    }

    private static List<Column> columns(Mode mode, boolean direct, boolean haproxy) {
        List<Column> c = new ArrayList<>();
        c.add(new Column("target", TargetSummary::target));
        String unit = mode.primaryUnit();
        c.add(new Column(unit, s -> mode == Mode.TCP_STREAM ? fmt(s.primary(), 2) : count(s.primary())));
        c.add(new Column("min–max", s -> mode == Mode.TCP_STREAM
                ? fmt(s.primaryMin(), 2) + "–" + fmt(s.primaryMax(), 2)
                : count(s.primaryMin()) + "–" + count(s.primaryMax())));
        if (direct) {
            c.add(new Column("× direct", s -> fmt(s.vsDirect(), 2)));
        }
        if (haproxy) {
            c.add(new Column("× haproxy", s -> fmt(s.vsHaproxy(), 2)));
        }
        // The proxy's CPU per unit of work is the primary efficiency figure: unlike the rates it does not depend on
        // how much CPU the load generator leaves the proxy on a small machine.
        int decimals = cpuDecimals(mode);
        c.add(new Column(cpuHeader(mode), s -> fmt(s.cpuPerUnit(mode), decimals)));
        if (haproxy) {
            c.add(new Column("CPU × haproxy", s -> fmt(s.cpuVsHaproxy(), 2)));
        }
        switch (mode) {
            case TCP_STREAM -> {
                // Throughput and CPU per GB are all there is.
            }
            case TCP_CRR, TCP_BCF -> {
                c.add(new Column("connect p50 µs", s -> fmt(s.connectP50(), 0)));
                c.add(new Column("connect p99 µs", s -> fmt(s.connectP99(), 0)));
                c.add(new Column("txn p50 µs", s -> fmt(s.p50(), 0)));
                c.add(new Column("txn p99 µs", s -> fmt(s.p99(), 0)));
                c.add(new Column("txn p99.9 µs", s -> fmt(s.p999(), 0)));
            }
            default -> {
                if (mode == Mode.UDP_STREAM || mode == Mode.UDP_RR) {
                    c.add(new Column("loss %", s -> fmt(s.lossPercent(), 3)));
                }
                c.add(new Column("p50 µs", s -> fmt(s.p50(), 0)));
                c.add(new Column("p90 µs", s -> fmt(s.p90(), 0)));
                c.add(new Column("p99 µs", s -> fmt(s.p99(), 0)));
                c.add(new Column("p99.9 µs", s -> fmt(s.p999(), 0)));
                c.add(new Column("max µs", s -> fmt(s.max(), 0)));
                if (direct) {
                    c.add(new Column("p99 × direct", s -> fmt(s.p99VsDirect(), 2)));
                }
                c.add(new Column("proxy CPU s/GB", s -> fmt(s.cpuSecondsPerGb(), 1)));
            }
        }
        c.add(new Column("proxy RSS MiB", s -> fmt(s.rssMiB(), 0)));
        c.add(new Column("launch ms", s -> s.launchMillis() < 0 ? "–" : Long.toString(s.launchMillis())));
        c.add(new Column("errors", s -> Long.toString(s.errors())));
        return c;
    }

    /** Header of the proxy-CPU column: per GB for tcp-stream, per connection or per operation otherwise. */
    static String cpuHeader(Mode mode) {
        return switch (mode) {
            case TCP_STREAM -> "proxy CPU s/GB";
            case TCP_CRR, TCP_BCF -> "proxy CPU µs/conn";
            default -> "proxy CPU µs/op";
        };
    }

    private static int cpuDecimals(Mode mode) {
        return switch (mode) {
            case TCP_STREAM -> 3;
            case TCP_CRR, TCP_BCF -> 1;
            default -> 2;
        };
    }

    /** What one unit of the proxy-CPU figure is, in words. */
    private static String cpuUnitWords(Mode mode) {
        return switch (mode) {
            case TCP_STREAM -> "GB forwarded";
            case TCP_CRR, TCP_BCF -> "connection";
            case TCP_RR, UDP_RR -> "request";
            case UDP_STREAM -> "datagram echoed";
        };
    }

    /**
     * One line under the table with each proxy's CPU per unit of work and its multiple of HAProxy's, or an empty
     * string when no target had a sampled process.
     */
    static String cpuLine(Mode mode, List<TargetSummary> rows) {
        List<String> parts = new ArrayList<>();
        String unit = mode == Mode.TCP_STREAM ? " s" : " µs";
        for (TargetSummary s : rows) {
            double v = s.cpuPerUnit(mode);
            if (Double.isNaN(v)) {
                continue;
            }
            String part = s.target() + " " + fmt(v, cpuDecimals(mode)) + unit;
            if (!s.target().equals(Summaries.HAPROXY) && !Double.isNaN(s.cpuVsHaproxy())) {
                part += " (" + fmt(s.cpuVsHaproxy(), 2) + "× haproxy)";
            }
            parts.add(part);
        }
        if (parts.isEmpty()) {
            return "";
        }
        return "**Proxy CPU per " + cpuUnitWords(mode) + "** (user + system, whole process tree; lower is better): "
                + String.join("; ", parts) + ".\n";
    }

    /** A number with {@code decimals} places, or an en dash for NaN. */
    public static String fmt(double v, int decimals) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "–";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    private static String count(double v) {
        return fmt(v, 0);
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : fmt(millis / 1000.0, 1);
    }
}
