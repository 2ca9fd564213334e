package io.junction.reliability.frame;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

import java.util.stream.IntStream;
import java.util.stream.Stream;

/** Runs a {@link FaultRow} method once at small size and {@link #FULL_RUNS} times at full size. */
public final class FaultRepeats implements TestTemplateInvocationContextProvider {
    /** How many times each fault row runs under {@code -Preliability}. */
    public static final int FULL_RUNS = 3;

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.isAnnotationPresent(FaultRow.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        int runs = runs(Size.current());
        return IntStream.rangeClosed(1, runs).mapToObj(i -> new TestTemplateInvocationContext() {
            @Override
            public String getDisplayName(int invocationIndex) {
                return label(i, runs);
            }
        });
    }

    static int runs(Size size) {
        return size.pick(1, FULL_RUNS);
    }

    /** The run's display name, which a repeated run's title carries in the report ("run 2 of 3"). */
    static String label(int run, int runs) {
        return "run " + run + " of " + runs;
    }
}
