package io.junction.core.health;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Turns Netty's leak reports into something a test can assert on. The test JVMs run the detector at
 * {@code paranoid} (every buffer tracked), but it only logs, and only when a leaked buffer has been collected and a
 * later allocation looks: {@link #leaks()} forces both. Not thread-safe: one per test class.
 */
final class ProbeLeakWatch implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
    private final ListAppender<ILoggingEvent> reports = new ListAppender<>();

    ProbeLeakWatch() {
        reports.start();
        logger.addAppender(reports);
    }

    /** The leak reports so far, after collecting garbage and allocating so that the detector checks. */
    List<String> leaks() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20); // reference processing runs after the collection
            ByteBuf probe = ByteBufAllocator.DEFAULT.directBuffer(1);
            probe.release();
        }
        return reports.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("LEAK")).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(reports);
        reports.stop();
    }
}
