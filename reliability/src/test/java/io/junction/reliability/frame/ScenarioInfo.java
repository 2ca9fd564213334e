package io.junction.reliability.frame;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Names a scenario test method in the report: its number in docs/reliability.md and a short title. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ScenarioInfo {
    /** The scenario's number in docs/reliability.md, e.g. "1". */
    String id();

    /** What it proves, in a few words. */
    String title();
}
