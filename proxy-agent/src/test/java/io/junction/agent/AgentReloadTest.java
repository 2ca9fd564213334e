package io.junction.agent;

import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.state.SourceStatus;
import io.junction.core.testing.TcpEchoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;

import static io.junction.agent.AgentFixture.echoOnce;
import static io.junction.agent.AgentFixture.endpoints;
import static io.junction.agent.AgentFixture.roundTrip;
import static io.junction.agent.AgentFixture.writeAtomically;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Hot reload of the config file through a running agent, observed on real sockets. */
class AgentReloadTest {
    private static final ServiceKey WEB = ServiceKey.of("web", Protocol.TCP);

    private final TcpEchoServer a = new TcpEchoServer();
    private final TcpEchoServer b = new TcpEchoServer();
    private Agent agent;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.shutdown();
        }
        a.close();
        b.close();
    }

    private static String config(int webPort, int otherPort, String webLb, String webEndpoints, String otherEndpoints) {
        return """
                admin:
                  listen: off
                proxy:
                  shutdownDrainTimeout: 1s
                services:
                  - name: web
                    listen: 127.0.0.1:%d
                    lb: %s
                    endpoints:
                %s
                  - name: other
                    listen: 127.0.0.1:%d
                    endpoints:
                %s
                """.formatted(webPort, webLb, webEndpoints, otherPort, otherEndpoints);
    }

    @Test
    void goodChangesApplyBrokenFilesAreRejectedAndLiveConnectionsSurviveEveryReload() throws Exception {
        int webPort = AgentFixture.freePort();
        int otherPort = AgentFixture.freePort();
        Path file = dir.resolve("junction.yaml");
        writeAtomically(file, config(webPort, otherPort, "round-robin", endpoints(a.address()), endpoints(a.address())));
        agent = AgentFixture.start(file);

        try (Socket live = new Socket("127.0.0.1", webPort)) {
            live.setSoTimeout(5000);
            assertThat(roundTrip(live, "before")).isEqualTo("before");
            assertThat(b.accepted()).isZero();

            // 1. A good change (second endpoint) applies within 2 s.
            long t0 = System.nanoTime();
            writeAtomically(file, config(webPort, otherPort, "round-robin",
                    endpoints(a.address(), b.address()), endpoints(a.address())));
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20)).until(() -> {
                echoOnce(webPort, "x");
                return b.accepted() > 0;
            });
            long appliedMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(appliedMs).isLessThan(2000);
            assertThat(roundTrip(live, "after-good-reload")).isEqualTo("after-good-reload");

            // 2. A broken file is rejected with the field and reason; the last good state keeps serving.
            long version = agent.controller().snapshot().version();
            writeAtomically(file, config(webPort, otherPort, "fastest", endpoints(a.address()), endpoints(a.address())));
            await().atMost(Duration.ofSeconds(5)).until(() -> fileStatus().errors() >= 1);
            assertThat(fileStatus().lastError()).contains("lb").contains("fastest");
            assertThat(agent.controller().snapshot().version()).isEqualTo(version);
            int bBefore = b.accepted();
            for (int i = 0; i < 10; i++) {
                assertThat(echoOnce(webPort, "still-" + i)).isEqualTo("still-" + i);
            }
            assertThat(b.accepted()).as("both endpoints still in use").isGreaterThan(bBefore);
            assertThat(roundTrip(live, "after-bad-reload")).isEqualTo("after-bad-reload");

            // 3. Moving another service's listener rebinds only that one; web's listener and connection stay.
            int otherMoved = AgentFixture.freePort();
            writeAtomically(file, config(webPort, otherMoved, "round-robin",
                    endpoints(a.address(), b.address()), endpoints(a.address())));
            await().atMost(Duration.ofSeconds(2)).ignoreExceptions()
                    .until(() -> echoOnce(otherMoved, "moved").equals("moved"));
            assertThat(agent.controller().boundAddresses().get(WEB).getPort()).isEqualTo(webPort);
            assertThat(roundTrip(live, "after-rebind")).isEqualTo("after-rebind");
            assertThat(echoOnce(webPort, "web-still-listening")).isEqualTo("web-still-listening");
        }
    }

    private SourceStatus fileStatus() {
        return agent.controller().sourceStatus().values().iterator().next();
    }
}
