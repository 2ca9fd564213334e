package io.junction.bench.report;

import io.junction.bench.load.Mode;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PNG charts rendered headless with JFreeChart: a bar per target for the headline number and, for modes with
 * latency, percentile curves in the HdrHistogram style (x = 1/(1-percentile) on a log axis, so 10 = p90,
 * 100 = p99, 1000 = p99.9). Thread-safe (stateless); needs {@code java.awt.headless=true}.
 */
public final class Charts {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 540;

    private Charts() {
    }

    /** @return the files written */
    public static List<Path> write(Path dir, ModeReport r) throws IOException {
        List<Path> out = new ArrayList<>();
        Mode mode = r.spec().mode();
        String prefix = mode.cliName();
        out.add(bars(dir.resolve(prefix + "-throughput.png"), r));
        if (mode.hasLatency() && !r.latency().isEmpty()) {
            String what = mode == Mode.TCP_CRR ? "transaction (connect to last answer byte)"
                    : mode == Mode.TCP_BCF ? "transaction (connect to the backend's close)" : "request";
            out.add(percentiles(dir.resolve(prefix + "-latency.png"), prefix + ": " + what + " latency, all rounds",
                    r.latency()));
        }
        if (mode.connectionPerOp() && !r.connect().isEmpty()) {
            out.add(percentiles(dir.resolve(prefix + "-connect-latency.png"), prefix + ": connect latency, all rounds",
                    r.connect()));
        }
        if (r.fromStart()) {
            out.add(fromStart(dir.resolve(prefix + "-from-start.png"), r));
        }
        return out;
    }

    /** {@code --from-start}: one line per target, the rate in each second after launch (median across rounds). */
    private static Path fromStart(Path file, ModeReport r) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (String target : r.order()) {
            double[] perSecond = Summaries.perSecondMedians(r.results().stream()
                    .filter(x -> x.target().equals(target)).toList());
            XYSeries series = new XYSeries(target, false, true);
            for (int i = 0; i < perSecond.length; i++) {
                if (!Double.isNaN(perSecond[i])) {
                    series.add(i + 1, perSecond[i]);
                }
            }
            data.addSeries(series);
        }
        String unit = r.spec().mode().primaryUnit();
        JFreeChart chart = ChartFactory.createXYLineChart(r.spec().mode().cliName() + ": " + unit
                        + " in each second after launch (median of " + r.rounds() + " rounds)",
                "second after the proxy listened", unit, data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        for (int i = 0; i < data.getSeriesCount(); i++) {
            plot.getRenderer().setSeriesStroke(i, new BasicStroke(2f));
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        return file;
    }

    private static Path bars(Path file, ModeReport r) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        String unit = r.spec().mode().primaryUnit();
        for (TargetSummary s : r.summaries()) {
            if (!Double.isNaN(s.primary())) {
                data.addValue(s.primary(), unit, s.target());
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(
                r.spec().mode().cliName() + ": " + unit + " (median of " + r.rounds() + " rounds)",
                "target", unit, data, PlotOrientation.VERTICAL, false, false, false);
        chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
        chart.getCategoryPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
        BarRenderer bars = (BarRenderer) chart.getCategoryPlot().getRenderer();
        bars.setBarPainter(new StandardBarPainter());
        bars.setShadowVisible(false);
        bars.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}",
                new DecimalFormat(r.spec().mode() == Mode.TCP_STREAM ? "#,##0.00" : "#,##0")));
        bars.setDefaultItemLabelsVisible(true);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        return file;
    }

    private static Path percentiles(Path file, String title, Map<String, Histogram> histograms) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, Histogram> e : histograms.entrySet()) {
            Histogram h = e.getValue();
            if (h.getTotalCount() == 0) {
                continue;
            }
            XYSeries series = new XYSeries(e.getKey(), false, true);
            for (HistogramIterationValue v : h.percentiles(5)) {
                double q = v.getPercentileLevelIteratedTo() / 100.0;
                if (q >= 1.0) {
                    break;
                }
                series.add(1.0 / (1.0 - q), v.getValueIteratedTo() / 1000.0);
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "percentile (1/(1-p): 10 = p90, 100 = p99)",
                "latency µs", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        LogAxis x = new LogAxis("percentile, as 1/(1-p): 10 = p90, 100 = p99, 1000 = p99.9, 10000 = p99.99");
        x.setBase(10);
        x.setSmallestValue(1);
        x.setTickUnit(new NumberTickUnit(1.0));
        x.setNumberFormatOverride(new DecimalFormat("#,##0"));
        plot.setDomainAxis(x);
        // A log latency axis keeps the median and the tail readable on one chart.
        LogAxis y = new LogAxis("latency µs (log)");
        y.setBase(10);
        y.setSmallestValue(1);
        y.setTickUnit(new NumberTickUnit(1.0));
        y.setNumberFormatOverride(new DecimalFormat("#,##0"));
        plot.setRangeAxis(y);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            plot.getRenderer().setSeriesStroke(i, new BasicStroke(2f));
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        return file;
    }
}
