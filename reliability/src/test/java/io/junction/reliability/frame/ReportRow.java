package io.junction.reliability.frame;

import java.util.List;

/**
 * One scenario's line in the report. Immutable.
 *
 * @param id       the scenario's number
 * @param title    its title
 * @param size     small or full
 * @param status   PASS, FAIL or SKIPPED (the test's own outcome: an exception fails it even with every figure in)
 * @param seconds  how long the test ran
 * @param figures  what it measured
 * @param notes    parameters and observations
 * @param reason   the failure or skip reason, else null
 */
public record ReportRow(String id, String title, String size, String status, double seconds, List<Figure> figures,
                        List<String> notes, String reason) {
    public ReportRow {
        figures = List.copyOf(figures);
        notes = List.copyOf(notes);
    }
}
