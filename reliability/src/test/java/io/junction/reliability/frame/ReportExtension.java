package io.junction.reliability.frame;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

import java.lang.reflect.Method;
import java.util.Optional;

/**
 * Gives each scenario test a {@link Scenario} to record its figures in, and when the test ends appends its row (with
 * the test's outcome: passed, failed or skipped, and why) to the run's {@link RunReport}. The report sits in the root
 * store, which JUnit closes at the end of the run.
 */
public final class ReportExtension implements ParameterResolver, TestWatcher {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ReportExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Scenario.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return scenarioOf(context);
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        record(context, "PASS", null);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        record(context, "FAIL", String.valueOf(cause));
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        record(context, "SKIPPED", cause.getMessage());
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        Scenario s = newScenario(context);
        report(context).add(new ReportRow(s.id(), s.title(), s.size().label(), "SKIPPED", 0, s.figures(), s.notes(),
                reason.orElse("disabled")));
    }

    private static void record(ExtensionContext context, String status, String reason) {
        Scenario s = scenarioOf(context);
        Long start = context.getStore(NS).get("start", Long.class);
        double seconds = start == null ? 0 : (System.nanoTime() - start) / 1e9;
        report(context).add(new ReportRow(s.id(), s.title(), s.size().label(), status, seconds, s.figures(),
                s.notes(), reason));
    }

    private static Scenario scenarioOf(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NS);
        return store.getOrComputeIfAbsent(Scenario.class, k -> {
            store.put("start", System.nanoTime());
            return newScenario(context);
        }, Scenario.class);
    }

    private static Scenario newScenario(ExtensionContext context) {
        Optional<Method> method = context.getTestMethod();
        ScenarioInfo info = method.map(m -> m.getAnnotation(ScenarioInfo.class)).orElse(null);
        String id = info == null ? "-" : info.id();
        String title = info == null ? context.getDisplayName() : info.title();
        if (info != null && method.get().isAnnotationPresent(FaultRow.class)
                && FaultRepeats.runs(Size.current()) > 1) {
            title = title + " (" + context.getDisplayName() + ")";
        }
        return new Scenario(id, title, Size.current());
    }

    private static RunReport report(ExtensionContext context) {
        return context.getRoot().getStore(NS).getOrComputeIfAbsent(RunReport.class,
                k -> new RunReport(RunReport.directoryFromProperty()), RunReport.class);
    }
}
