package io.junction.agent;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shipped systemd unit and its node-mode drop-in: accepted by systemd-analyze, hardened to an exposure score of
 * at most 2.5 (the README quotes it), and wired to the agent's CLI and signals.
 */
class SystemdUnitTest {
    private static final Path UNITS = Path.of("..", "systemd").toAbsolutePath().normalize();
    private static final Path ANALYZE = Path.of("/usr/bin/systemd-analyze");
    private static final Pattern SCORE = Pattern.compile("Overall exposure level for junction\\.service: ([0-9.]+)");

    @Test
    void unitUsesTheAgentsCommandsAndSignals() throws Exception {
        String unit = Files.readString(UNITS.resolve("junction.service"), StandardCharsets.UTF_8);
        assertThat(unit)
                .contains("Type=notify")
                .contains("ExecStartPre=/usr/bin/java -jar /opt/junction/junction.jar validate ")
                .contains("junction.jar run --config /etc/junction/junction.yaml")
                .contains("ExecReload=/bin/kill -HUP $MAINPID")
                .contains("EnvironmentFile=-/etc/default/junction")
                .contains("StateDirectory=junction")
                .contains("Restart=on-failure")
                .contains("LimitNOFILE=1048576")
                .contains("SystemCallFilter=@system-service");
        assertThat(Files.readString(UNITS.resolve("junction.service.d/node-mode.conf")))
                .contains("AmbientCapabilities=CAP_NET_BIND_SERVICE CAP_NET_ADMIN");
    }

    @Test
    void unitAndItsDropInValidateWithoutWarnings() throws Exception {
        assumeTrue(Files.isExecutable(ANALYZE), "systemd-analyze not installed (.ci/run installs systemd)");
        // SYSTEMD_UNIT_PATH makes systemd read the drop-in directory next to the unit, as it would once installed.
        Result r = analyze("verify", UNITS.resolve("junction.service").toString());
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).as("no warnings about the unit or its drop-in").doesNotContain("junction.service");
    }

    @Test
    void exposureScoreIsAtMostTwoAndAHalfWithAndWithoutNodeMode() throws Exception {
        assumeTrue(Files.isExecutable(ANALYZE), "systemd-analyze not installed (.ci/run installs systemd)");
        Result withDropIn = analyze("security", "--offline=true", "junction.service");
        assertThat(withDropIn.out()).as("the node-mode drop-in was read").contains("CAP_NET_ADMIN");
        assertThat(score(withDropIn)).isLessThanOrEqualTo(2.5);
        Path alone = Files.createTempDirectory("junction-unit");
        try {
            Files.copy(UNITS.resolve("junction.service"), alone.resolve("junction.service"));
            Result base = analyze(alone, "security", "--offline=true", "junction.service");
            assertThat(score(base)).isLessThanOrEqualTo(2.5);
        } finally {
            Files.deleteIfExists(alone.resolve("junction.service"));
            Files.deleteIfExists(alone);
        }
    }

    private static double score(Result r) {
        Matcher m = SCORE.matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private record Result(int code, String out) {
    }

    private static Result analyze(String... args) throws Exception {
        return analyze(UNITS, args);
    }

    private static Result analyze(Path unitPath, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ANALYZE.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // The trailing colon keeps systemd's own unit directories after ours.
        pb.environment().put("SYSTEMD_UNIT_PATH", unitPath + ":");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
