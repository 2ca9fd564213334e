package io.junction.core.forward.tcp;

import io.junction.core.metrics.ServiceMetrics;
import io.junction.core.state.ServiceHandle;
import io.junction.core.testing.TcpSocketStates;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Watches a bulk transfer through the proxy and, when neither direction's byte count moves for {@code quiet}, takes
 * a picture of the stall: every live connection's {@link io.junction.core.forward.LiveConnection#describe() state}
 * (each leg's writability, auto-read, queued bytes and shutdown flags, each direction's counters) and the kernel's
 * view of the sockets. A test that then times out fails with that picture instead of a bare "Socket closed".
 *
 * <p>Thread-safe: one daemon thread samples; {@link #report()} may be read from any thread.
 */
final class StallWatchdog implements AutoCloseable {
    private final Thread thread;
    private volatile String report;
    private volatile boolean stopped;

    /**
     * @param connections describes the live connections of the transfer (taken on their event loops)
     */
    StallWatchdog(ServiceHandle handle, Supplier<List<String>> connections, long quietMillis) {
        ServiceMetrics m = handle.metrics();
        thread = new Thread(() -> {
            long last = -1;
            long since = System.nanoTime();
            while (!stopped) {
                long now = m.bytesToBackend() + m.bytesToClient();
                if (now != last) {
                    last = now;
                    since = System.nanoTime();
                } else if (report == null && System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(quietMillis)) {
                    report = picture(m, connections);
                    System.err.println(report);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "stall-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    private static String picture(ServiceMetrics m, Supplier<List<String>> connections) {
        StringBuilder b = new StringBuilder("transfer stalled: bytesToBackend=").append(m.bytesToBackend())
                .append(" bytesToClient=").append(m.bytesToClient()).append('\n');
        try {
            connections.get().forEach(c -> b.append("  connection: ").append(c).append('\n'));
        } catch (RuntimeException e) {
            b.append("  connections: ").append(e).append('\n');
        }
        try {
            // Listening sockets and TIME_WAIT leftovers of earlier tests say nothing about this transfer.
            TcpSocketStates.all().stream().filter(s -> !s.state().equals("0A") && !s.state().equals("06"))
                    .forEach(s -> b.append("  socket: ").append(s).append('\n'));
        } catch (Exception e) {
            b.append("  sockets: ").append(e).append('\n');
        }
        return b.toString();
    }

    /** The picture of the first stall, or null if the transfer never stalled. */
    String report() {
        return report;
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
    }
}
