package io.junction.agent;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;

import static io.junction.agent.AgentFixture.writeAtomically;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A rejected config is logged once, by the source that read it, not again by the control plane. */
class RejectedConfigLogTest {
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private Agent agent;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        root.detachAppender(events);
        if (agent != null) {
            agent.shutdown();
        }
    }

    @Test
    void aRejectedFileAppearsOnceInTheLog() throws Exception {
        Path file = dir.resolve("junction.yaml");
        int port = AgentFixture.freePort();
        writeAtomically(file, "admin:\n  listen: off\nservices:\n  - {name: a, listen: 127.0.0.1:" + port + "}\n");
        agent = AgentFixture.start(file);
        events.start();
        root.addAppender(events);

        writeAtomically(file, "admin:\n  listen: off\nservices:\n  - {name: a, listen: 127.0.0.1:" + port
                + ", lb: fastest}\n");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> agent.controller().sourceStatus().values().iterator().next().errors() == 1);
        // Whatever else would log it runs on the control thread right after; give it a sync interval or two.
        Thread.sleep(300);

        long mentions = events.list.stream()
                .filter(e -> e.getFormattedMessage().contains("\"fastest\" is not a valid lb policy"))
                .count();
        assertThat(mentions).isEqualTo(1);
    }
}
