package io.junction.reliability.frame;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * A Junction agent under test: {@code java io.junction.agent.Main run --config FILE} in its own JVM, as users run it,
 * with its admin server on a loopback port for readiness and metrics.
 */
public final class AgentProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final JavaProcess jvm;
    private final int adminPort;

    private AgentProcess(JavaProcess jvm, int adminPort) {
        this.jvm = jvm;
        this.adminPort = adminPort;
    }

    /** Starts an agent on {@code config} (whose admin server listens on 127.0.0.1:adminPort) and waits for /readyz. */
    public static AgentProcess startReady(Path config, int adminPort, Path log) throws IOException {
        AgentProcess a = start(List.of(), config, adminPort, log);
        a.awaitReady(Duration.ofSeconds(30));
        return a;
    }

    /** Starts an agent without waiting; {@code prefix} as in {@link JavaProcess#start}. */
    public static AgentProcess start(List<String> prefix, Path config, int adminPort, Path log) throws IOException {
        return new AgentProcess(JavaProcess.start(prefix, "256m", log, "io.junction.agent.Main", "run", "--config",
                config.toString()), adminPort);
    }

    public JavaProcess jvm() {
        return jvm;
    }

    /** Waits until /readyz answers 200; fails with the agent's output when it exits or the time runs out. */
    public void awaitReady(Duration atMost) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(100)).ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                if (!jvm.isAlive()) {
                    throw new IllegalStateException("agent exited " + jvm.process().exitValue() + ":\n"
                            + jvm.output());
                }
                return get("/readyz").statusCode() == 200;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new IllegalStateException("agent not ready within " + atMost + "; output:\n" + outputQuietly(), e);
        }
    }

    /** One GET on the admin server. */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The sum of every sample of Prometheus metric {@code name} at /metrics whose labels contain each of
     * {@code labels} (written {@code key="value"}); 0 when there is none.
     */
    public double metric(String name, String... labels) throws IOException, InterruptedException {
        return PrometheusText.sum(get("/metrics").body(), name, labels);
    }

    public String outputQuietly() {
        try {
            return jvm.output();
        } catch (IOException e) {
            return "(cannot read the agent's output: " + e + ")";
        }
    }

    @Override
    public void close() {
        jvm.close();
    }
}
