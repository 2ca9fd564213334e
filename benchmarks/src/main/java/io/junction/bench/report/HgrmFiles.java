package io.junction.bench.report;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes merged latency histograms as HdrHistogram percentile-distribution files ({@code .hgrm}, values in
 * microseconds), readable by HdrHistogram's online plotter. Thread-safe (stateless).
 */
public final class HgrmFiles {
    private HgrmFiles() {
    }

    /** @return the files written */
    public static List<Path> write(Path dir, String prefix, String kind, Map<String, Histogram> histograms)
            throws IOException {
        List<Path> out = new ArrayList<>();
        for (Map.Entry<String, Histogram> e : histograms.entrySet()) {
            if (e.getValue().getTotalCount() == 0) {
                continue;
            }
            Path file = dir.resolve(prefix + "-" + e.getKey() + "-" + kind + ".hgrm");
            try (OutputStream os = Files.newOutputStream(file);
                 PrintStream ps = new PrintStream(os, false, StandardCharsets.UTF_8)) {
                e.getValue().outputPercentileDistribution(ps, 5, 1000.0);
            }
            out.add(file);
        }
        return out;
    }
}
