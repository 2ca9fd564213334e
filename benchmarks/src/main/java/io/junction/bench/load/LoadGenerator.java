package io.junction.bench.load;

import java.time.Duration;

/**
 * One run of load against one target address. Control-thread only: {@link #start} and {@link #stop} are called by
 * the run controller; the traffic itself runs on the client event loops.
 */
public interface LoadGenerator {
    /** Opens the connections or flows and starts sending; returns once they are set up. */
    void start() throws InterruptedException;

    /**
     * Stops starting new operations, waits up to {@code drain} for in-flight ones, then closes every channel and
     * waits (bounded) for the closes.
     */
    void stop(Duration drain) throws InterruptedException;
}
