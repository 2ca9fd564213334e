package io.junction.reliability.frame;

import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a fault scenario (a kill, a drop, an outage, an exhaustion) in place of {@code @Test}: at full size it runs
 * {@link FaultRepeats#FULL_RUNS} times, each run a row of its own in the report, and one failed run fails the
 * scenario. A fault that passes once may have passed by luck of timing; three runs make that luck visible. At small
 * size (every {@code mvn verify}) it runs once.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@TestTemplate
@ExtendWith(FaultRepeats.class)
public @interface FaultRow {
}
