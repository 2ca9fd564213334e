package io.junction.agent;

import io.junction.core.testing.TcpEchoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.junction.agent.AgentFixture.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The CLI as users run it: a separate JVM, exit codes, signals. */
class AgentProcessTest {
    private final TcpEchoServer backend = new TcpEchoServer();
    private final List<Process> started = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        for (Process p : started) {
            p.destroyForcibly();
        }
        backend.close();
    }

    private Process junction(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out-" + started.size() + ".log").toFile()).start();
        started.add(p);
        return p;
    }

    private String output(int index) throws IOException {
        return Files.readString(dir.resolve("out-" + index + ".log"), StandardCharsets.UTF_8);
    }

    private Path config(String name, String yaml) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void validateExitsZeroForAGoodFileAndOneWithTheFieldForABadOne() throws Exception {
        Path good = config("good.yaml", """
                services:
                  - name: web
                    listen: 127.0.0.1:10080
                    endpoints: [127.0.0.1:18081]
                """);
        Path bad = config("bad.yaml", """
                services:
                  - name: web
                    listen: 127.0.0.1:10080
                    connectTimeout: -1s
                    endpoints: [127.0.0.1:18081]
                """);

        Process ok = junction("validate", good.toString());
        assertThat(ok.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ok.exitValue()).isZero();
        assertThat(output(0)).contains("ok (1 services)");

        Process no = junction("validate", bad.toString());
        assertThat(no.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(no.exitValue()).isEqualTo(1);
        assertThat(output(1)).contains("bad.yaml:4").contains("services[0].connectTimeout");
    }

    @Test
    void selfTestRunsAWholeAgentEndToEndAndExitsZero() throws Exception {
        Process p = junction("self-test");

        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output(0)).isZero();
        assertThat(output(0)).contains("ok    a request through a service")
                .contains("ok    a request through the registered instance's service")
                .contains("ok    the admin routes").contains("self-test passed");
    }

    @Test
    void runRefusesABadConfigWithANonZeroExitAndTheReason() throws Exception {
        Path bad = config("bad.yaml", """
                services:
                  - name: web
                    listen: 127.0.0.1:65536
                    endpoints: []
                """);

        Process p = junction("run", "--config", bad.toString());

        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(output(0)).contains("services[0].listen").contains("65536");
    }

    @Test
    void sigtermStopsAcceptingLetsLiveConnectionsFinishAndExitsZero() throws Exception {
        int port = AgentFixture.freePort();
        Path file = config("junction.yaml", """
                admin:
                  listen: off
                proxy:
                  shutdownDrainTimeout: 20s
                services:
                  - name: web
                    listen: 127.0.0.1:%d
                    endpoints: [127.0.0.1:%d]
                """.formatted(port, backend.address().getPort()));
        Process agent = junction("run", "--config", file.toString());
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> AgentFixture.echoOnce(port, "up").equals("up"));

        try (Socket live = new Socket("127.0.0.1", port)) {
            live.setSoTimeout(5000);
            assertThat(roundTrip(live, "before")).isEqualTo("before");

            agent.destroy(); // SIGTERM

            await().atMost(Duration.ofSeconds(5)).until(() -> refuses(port));
            assertThat(roundTrip(live, "during-drain")).as("live connection keeps working").isEqualTo("during-drain");
            assertThat(agent.isAlive()).as("waits for the live connection").isTrue();
        }
        assertThat(agent.waitFor(10, TimeUnit.SECONDS)).as("exits once the last connection ended").isTrue();
        assertThat(agent.exitValue()).isZero();
        assertThat(output(0)).contains("agent=stopping")
                .contains("agent=stopped connections_drained=1 connections_forced=0");
    }

    private static boolean refuses(int port) {
        try {
            new Socket("127.0.0.1", port).close();
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
