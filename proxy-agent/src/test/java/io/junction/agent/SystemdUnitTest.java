package io.junction.agent;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The shipped systemd unit: accepted by systemd-analyze and wired to the agent's CLI and signals. */
class SystemdUnitTest {
    private static final Path UNIT = Path.of("..", "systemd", "junction.service");

    @Test
    void unitValidatesAndUsesTheAgentsCommands() throws Exception {
        String unit = Files.readString(UNIT, StandardCharsets.UTF_8);
        assertThat(unit)
                .contains("ExecStartPre=/usr/bin/java -jar /opt/junction/junction.jar validate ")
                .contains("junction.jar run --config /etc/junction/junction.yaml")
                .contains("ExecReload=/bin/kill -HUP $MAINPID")
                .contains("Restart=on-failure")
                .contains("LimitNOFILE=1048576");

        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyze), "systemd-analyze not installed");
        Process p = new ProcessBuilder(analyze.toString(), "verify", UNIT.toAbsolutePath().normalize().toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as("no warnings about the unit").doesNotContain("junction.service:");
    }
}
