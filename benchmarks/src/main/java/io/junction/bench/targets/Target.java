package io.junction.bench.targets;

import java.net.InetSocketAddress;
import java.util.OptionalLong;

/**
 * Something load is sent to. Control-thread only: created, started, sampled and closed by the run controller.
 */
public interface Target extends AutoCloseable {
    /** Short name used in tables, file names and ratios ({@code direct}, {@code junction}, {@code haproxy}, …). */
    String name();

    /**
     * Starts the target if it is a process, waiting (bounded) until it accepts traffic.
     *
     * @return the loopback address the load generator sends to
     * @throws TargetUnavailableException when the target cannot run here; the message says why and what to do
     */
    InetSocketAddress start(TargetContext context) throws TargetUnavailableException, InterruptedException;

    /** PID of the proxy process whose CPU and memory are sampled, if the harness started one. */
    OptionalLong pid();

    /** Milliseconds from process launch to its listen port accepting, or -1 when the harness did not launch it. */
    long launchMillis();

    /** Stops the process if there is one. Idempotent; never throws. */
    @Override
    void close();
}
