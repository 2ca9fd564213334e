package io.junction.reliability.frame;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.fail;

/**
 * What one scenario measured: its figures and notes, handed to a test method by {@link ReportExtension}. The test
 * records every figure first and then calls {@link #assertPassed()}, so a failing figure is both a failed test and a
 * row in the report with every figure of the run. Used by the test's thread only.
 */
public final class Scenario {
    private final String id;
    private final String title;
    private final Size size;
    private final List<Figure> figures = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    Scenario(String id, String title, Size size) {
        this.id = id;
        this.title = title;
        this.size = size;
    }

    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    public Size size() {
        return size;
    }

    /** Records {@code measured} against {@code threshold}; returns whether it passes. */
    public boolean figure(String name, double measured, String unit, Figure.Bound bound, double threshold) {
        Figure f = new Figure(name, measured, unit, bound, threshold);
        figures.add(f);
        return f.pass();
    }

    /** A fact worth reading next to the figures (the parameters used, what was seen). */
    public void note(String text) {
        notes.add(text);
    }

    public List<Figure> figures() {
        return List.copyOf(figures);
    }

    public List<String> notes() {
        return List.copyOf(notes);
    }

    /** Fails the test, naming every figure outside its threshold; a scenario that recorded nothing fails too. */
    public void assertPassed() {
        if (figures.isEmpty()) {
            fail("scenario " + id + " recorded no figure");
        }
        List<String> failed = figures.stream().filter(f -> !f.pass()).map(Figure::describe).toList();
        if (!failed.isEmpty()) {
            fail("scenario " + id + " outside its thresholds: " + String.join("; ", failed));
        }
    }
}
