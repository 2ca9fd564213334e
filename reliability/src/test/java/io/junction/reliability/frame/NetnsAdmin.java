package io.junction.reliability.frame;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The admin server of an agent that runs inside a network namespace, on that namespace's loopback: the test JVM
 * cannot reach it, so each request is a {@code curl} run there ({@code ip netns exec}). A few milliseconds a request,
 * fine for polling a gauge every 100 ms.
 */
public final class NetnsAdmin {
    private final Netns ns;
    private final int port;

    public NetnsAdmin(Netns ns, int port) {
        this.ns = ns;
        this.port = port;
    }

    /** The status code of a GET on {@code path}, or 0 when nothing answered. */
    public int status(String path) throws IOException, InterruptedException {
        Commands.Result r = Commands.run(ns.inside(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                "--max-time", "5", "http://127.0.0.1:" + port + path)));
        try {
            return Integer.parseInt(r.out().strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Waits until /readyz answers 200; fails naming the time waited. */
    public void awaitReady(Duration atMost) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (status("/readyz") != 200) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("agent in namespace " + ns.name() + " not ready within " + atMost);
            }
            Thread.sleep(100);
        }
    }

    /**
     * The sum of every sample of Prometheus metric {@code name} whose labels contain each of {@code labels}
     * ({@code key="value"}), as {@link AgentProcess#metric} reads it; 0 when there is none.
     */
    public double metric(String name, String... labels) throws IOException, InterruptedException {
        String body = ns.exec("curl", "-s", "--max-time", "5", "http://127.0.0.1:" + port + "/metrics");
        return PrometheusText.sum(body, name, labels);
    }
}
