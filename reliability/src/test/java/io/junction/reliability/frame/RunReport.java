package io.junction.reliability.frame;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The rows of one test run, written as {@code reliability-report.md} and {@code reliability-report.json} into the
 * report directory. Kept in JUnit's root store, so it lives for the whole run and is closed (files written) at its
 * end; the files are also rewritten after every row so that a run cut short still leaves what it measured.
 * Thread-safe (rows may arrive from parallel classes).
 */
public final class RunReport implements AutoCloseable {
    public static final String DIR_PROPERTY = "junction.reliability.reportDir";

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final Path dir;
    private final Instant started = Instant.now();
    private final List<ReportRow> rows = new ArrayList<>();

    RunReport(Path dir) {
        this.dir = dir;
    }

    /** The directory the pom passes ({@code reliability/target}); {@code target} when run outside Maven. */
    static Path directoryFromProperty() {
        return Path.of(System.getProperty(DIR_PROPERTY, "target")).toAbsolutePath();
    }

    synchronized void add(ReportRow row) {
        rows.add(row);
        write();
    }

    synchronized List<ReportRow> rows() {
        return List.copyOf(rows);
    }

    @Override
    public synchronized void close() {
        write();
    }

    private void write() {
        List<ReportRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing((ReportRow r) -> scenarioOrder(r.id())).thenComparing(ReportRow::title));
        try {
            Files.createDirectories(dir);
            replace(dir.resolve("reliability-report.md"), markdown(sorted));
            replace(dir.resolve("reliability-report.json"), JSON.writeValueAsString(new Document(
                    started.toString(), Instant.now().toString(), Size.current().label(), sorted)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the reliability report into " + dir, e);
        }
    }

    private String markdown(List<ReportRow> sorted) {
        StringBuilder b = new StringBuilder("# Reliability report\n\n");
        b.append("Size: ").append(Size.current().label()).append(". First scenario ended ").append(started)
                .append(", written ").append(Instant.now()).append(".\n\n");
        // One line per figure; Result is the figure's own verdict, the scenario's (which an exception can fail even
        // with every figure in) is in its heading under Details.
        b.append("| # | Scenario | Result | Figure | Measured | Threshold |\n|---|---|---|---|---|---|\n");
        for (ReportRow r : sorted) {
            if (r.figures().isEmpty()) {
                b.append("| ").append(r.id()).append(" | ").append(r.title()).append(" | ").append(r.status())
                        .append(" | - | - | - |\n");
            }
            for (Figure f : r.figures()) {
                String unit = f.unit().isEmpty() ? "" : " " + f.unit();
                b.append("| ").append(r.id()).append(" | ").append(cell(r.title())).append(" | ")
                        .append(f.pass() ? "pass" : "FAIL").append(" | ").append(cell(f.name())).append(" | ")
                        .append(Figure.format(f.measured())).append(unit).append(" | ").append(f.bound().symbol())
                        .append(' ').append(Figure.format(f.threshold())).append(unit).append(" |\n");
            }
        }
        b.append("\n## Details\n");
        for (ReportRow r : sorted) {
            b.append("\n### ").append(r.id()).append(". ").append(r.title()).append(" — ").append(r.status())
                    .append(String.format(java.util.Locale.ROOT, " (%.1f s)", r.seconds())).append("\n\n");
            for (String n : r.notes()) {
                b.append("- ").append(n).append('\n');
            }
            if (r.reason() != null) {
                b.append("- reason: ").append(r.reason().replace('\n', ' ')).append('\n');
            }
        }
        return b.toString();
    }

    /** Text in a table cell: a '|' would end the cell. */
    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    /** "10" sorts after "9": numeric ids by value, anything else after them. */
    private static double scenarioOrder(String id) {
        try {
            return Double.parseDouble(id);
        } catch (NumberFormatException e) {
            return Double.MAX_VALUE;
        }
    }

    private static void replace(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The JSON file's shape. */
    record Document(String started, String written, String size, List<ReportRow> scenarios) {
    }
}
