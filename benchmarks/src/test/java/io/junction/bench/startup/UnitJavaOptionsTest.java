package io.junction.bench.startup;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnitJavaOptionsTest {
    private static final Path UNIT = Path.of("..", "systemd", "junction.service");

    @Test
    void theShippedUnitsOptionsAreItsJavaOptsLineSplitIntoWords() throws Exception {
        String unit = Files.readString(UNIT);
        // The line as written, read independently of the parser: the benchmark must start exactly these.
        String line = unit.lines().filter(l -> l.startsWith("Environment=\"JAVA_OPTS=")).findFirst().orElseThrow();
        String value = line.substring("Environment=\"JAVA_OPTS=".length(), line.length() - 1);

        assertThat(UnitJavaOptions.parse(unit)).containsExactly(value.split(" ")).allMatch(o -> o.startsWith("-"));
    }

    @Test
    void quotedUnquotedAndSeveralAssignmentsOnOneLine() {
        String unit = """
                [Unit]
                Environment=JAVA_OPTS=-Xnot-the-service-section
                [Service]
                Environment=A=1 "JAVA_OPTS=-Xms1m  -Dx=a\\"b" 'B=two words'
                ExecStart=/usr/bin/java $JAVA_OPTS -jar x.jar
                """;
        assertThat(UnitJavaOptions.parse(unit)).containsExactly("-Xms1m", "-Dx=a\"b");
    }

    @Test
    void theLastAssignmentWinsAndContinuationsAndCommentsAreHandled() {
        String unit = """
                [Service]
                Environment="JAVA_OPTS=-Xmx1g"
                # Environment="JAVA_OPTS=-Xcommented"
                ; Environment="JAVA_OPTS=-Xcommented-too"
                Environment=OTHER=1 \\
                  JAVA_OPTS=-Xmx2g
                ExecStart=/usr/bin/java $JAVA_OPTS -jar x.jar
                """;
        assertThat(UnitJavaOptions.parse(unit)).containsExactly("-Xmx2g");
    }

    @Test
    void bracedExpansionIsOneWord() {
        String unit = """
                [Service]
                Environment="JAVA_OPTS=-Xms1m -Xmx2m"
                ExecStart=/usr/bin/java ${JAVA_OPTS} -jar x.jar
                """;
        assertThat(UnitJavaOptions.parse(unit)).containsExactly("-Xms1m -Xmx2m");
    }

    @Test
    void aUnitWithoutTheVariableOrWithoutUsingItIsRefusedWithTheReason() {
        assertThatThrownBy(() -> UnitJavaOptions.parse("[Service]\nExecStart=/usr/bin/java -jar x.jar\n"))
                .hasMessageContaining("sets no JAVA_OPTS");
        assertThatThrownBy(() -> UnitJavaOptions.parse(
                "[Service]\nEnvironment=JAVA_OPTS=-Xmx1g\nExecStart=/usr/bin/java $JAVA_OPTSX -jar x.jar\n"))
                .hasMessageContaining("does not pass $JAVA_OPTS");
        assertThatThrownBy(() -> UnitJavaOptions.parse("[Service]\nEnvironment=\"JAVA_OPTS=-Xmx1g\n"))
                .hasMessageContaining("unterminated");
    }
}
