package io.junction.bench.startup;

import io.junction.agent.config.AgentConfig;
import io.junction.agent.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StartupConfigTest {
    private static final Path SHIPPED = Path.of("..", "config", "junction.yaml");

    @TempDir
    Path dir;

    @Test
    void theShippedConfigMovesToFreePortsWithItsStateInTheRunsDirectory() throws Exception {
        String shipped = Files.readString(SHIPPED);
        StartupConfig c = StartupConfig.onFreePorts(shipped, dir);

        // Nothing left on the shipped ports, comments included untouched.
        assertThat(c.yaml()).doesNotContain("listen: 127.0.0.1:9901", "listen: 127.0.0.1:8500",
                "listen: 127.0.0.1:10080", "listen: 127.0.0.1:10081");
        assertThat(c.yaml().lines().filter(l -> l.strip().startsWith("#")))
                .containsExactlyElementsOf(shipped.lines().filter(l -> l.strip().startsWith("#")).toList());
        assertThat(c.admin().getAddress().isLoopbackAddress()).isTrue();
        assertThat(c.yaml()).contains("listen: 127.0.0.1:" + c.admin().getPort(),
                "listen: 127.0.0.1:" + c.service().getPort());

        // The agent itself accepts it, with the registry kept and its state where the run put it.
        Path file = Files.writeString(dir.resolve("junction.yaml"), c.yaml());
        AgentConfig config = new ConfigLoader().load(file);
        assertThat(config.adminListen().getPort()).isEqualTo(c.admin().getPort());
        assertThat(c.yaml()).contains("stateFile: \"" + dir.resolve("registry.json").toAbsolutePath() + "\"");
        assertThat(config.toString()).contains(dir.resolve("registry.json").toString());
    }

    @Test
    void aGivenConfigIsReadForItsAdminAndFirstTcpServiceAddresses() {
        String yaml = """
                admin:
                  listen: "off"
                services:
                  - name: dns
                    listen: 127.0.0.1:5353
                    protocol: udp   # not probed with a TCP connect
                  - name: web
                    protocol: tcp
                    listen: 0.0.0.0:8080
                    endpoints:
                      - address: 127.0.0.1:18082
                        weight: 2
                """;
        StartupConfig c = StartupConfig.asGiven(yaml);
        assertThat(c.admin()).isNull();
        assertThat(c.service().getHostString()).isEqualTo("127.0.0.1");
        assertThat(c.service().getPort()).isEqualTo(8080);

        StartupConfig withAdmin = StartupConfig.asGiven("admin:\n  listen: 127.0.0.2:9000  # here\n" + yaml.substring(
                yaml.indexOf("services:")));
        assertThat(withAdmin.admin().getPort()).isEqualTo(9000);
    }

    @Test
    void aConfigWithoutATcpListenerIsRefused() {
        assertThatThrownBy(() -> StartupConfig.asGiven("services:\n  - name: a\n    protocol: udp\n"
                + "    listen: 127.0.0.1:53\n"))
                .hasMessageContaining("no TCP service with a listen address");
    }
}
