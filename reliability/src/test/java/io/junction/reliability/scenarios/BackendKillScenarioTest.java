package io.junction.reliability.scenarios;

import io.junction.reliability.frame.AgentConfig;
import io.junction.reliability.frame.AgentProcess;
import io.junction.reliability.frame.FaultRow;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.JavaProcess;
import io.junction.reliability.frame.Ports;
import io.junction.reliability.frame.ReportExtension;
import io.junction.reliability.frame.Scenario;
import io.junction.reliability.frame.ScenarioInfo;
import io.junction.reliability.frame.Size;
import io.junction.reliability.traffic.EchoBackendMain;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;

/**
 * Scenario 3: a backend process killed with SIGKILL while streams run through it. Its clients see their connection
 * close promptly; the other backends' clients see nothing; new connections all succeed (connect retry on a refused
 * connect, then passive ejection).
 */
@ExtendWith(ReportExtension.class)
class BackendKillScenarioTest {
    /** Backends, streams running when one is killed, and new connections made after the kill. */
    record Params(int backends, int streams, int newConnections) {
        static Params of(Size size) {
            return size.pick(new Params(3, 12, 200), new Params(3, 50, 1000));
        }
    }

    @TempDir
    Path dir;

    @FaultRow
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "3", title = "Backend kill -9 mid-stream")
    void clientsOfAKilledBackendSeeAPromptCloseAndNewConnectionsAllSucceed(Scenario scenario) throws Exception {
        Params p = Params.of(scenario.size());
        scenario.note(p.backends() + " backend JVMs, " + p.streams() + " echo streams; backend 0 killed with "
                + "SIGKILL; then " + p.newConnections() + " new connections");
        int admin = Ports.free();
        int listen = Ports.free();
        List<JavaProcess> backends = new ArrayList<>();
        ExecutorService pool = Executors.newCachedThreadPool();
        AtomicBoolean stop = new AtomicBoolean();
        try {
            StringBuilder endpoints = new StringBuilder();
            for (int i = 0; i < p.backends(); i++) {
                int port = Ports.free();
                backends.add(JavaProcess.start(List.of(), "64m", dir.resolve("backend-" + i + ".log"),
                        EchoBackendMain.class.getName(), Integer.toString(port), Integer.toString(i)));
                endpoints.append("      - 127.0.0.1:").append(port).append('\n');
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> greeting(direct(port)) >= 0);
            }
            try (AgentProcess agent = AgentProcess.startReady(AgentConfig.write(dir.resolve("junction.yaml"),
                    AgentConfig.head(admin) + """
                            services:
                              - name: kill
                                listen: 127.0.0.1:%d
                                connectTimeout: 1s
                                endpoints:
                            %s""".formatted(listen, endpoints)), admin, dir.resolve("agent.log"))) {
                List<Future<StreamEnd>> streams = new ArrayList<>();
                for (int i = 0; i < p.streams(); i++) {
                    streams.add(pool.submit(() -> stream(listen, stop)));
                }
                Thread.sleep(1000); // every stream is mid-stream now

                long killedAt = System.nanoTime();
                backends.get(0).kill9();
                Thread.sleep(2000);
                stop.set(true);

                int victims = 0;
                int victimsNotClosed = 0;
                long slowestCloseNanos = 0;
                int survivorsFailed = 0;
                for (Future<StreamEnd> f : streams) {
                    StreamEnd e = f.get(30, TimeUnit.SECONDS);
                    if (e.backend() == 0) {
                        victims++;
                        if (e.endedAt() < 0) {
                            victimsNotClosed++;
                        } else {
                            slowestCloseNanos = Math.max(slowestCloseNanos, e.endedAt() - killedAt);
                        }
                    } else if (e.endedAt() >= 0) {
                        survivorsFailed++;
                    }
                }

                int newFailures = 0;
                int[] perBackend = new int[p.backends()];
                for (int i = 0; i < p.newConnections(); i++) {
                    try (Socket s = new Socket("127.0.0.1", listen)) {
                        s.setSoTimeout(5000);
                        int b = s.getInputStream().read();
                        if (b < 0 || !echoes(s, "new" + i)) {
                            newFailures++;
                        } else {
                            perBackend[b]++;
                        }
                    } catch (IOException e) {
                        newFailures++;
                    }
                }
                scenario.note("streams on the killed backend: " + victims + "; new connections per backend "
                        + Arrays.toString(perBackend) + "; agent counted "
                        + (long) agent.metric("junction_connect_retries_total") + " connect retries and "
                        + (long) agent.metric("junction_endpoint_ejections_total") + " ejections");
                scenario.figure("streams on the killed backend", victims, "", Bound.AT_LEAST, 1);
                scenario.figure("its streams never closed", victimsNotClosed, "", Bound.EXACTLY, 0);
                scenario.figure("slowest close seen by its clients", slowestCloseNanos / 1e6, "ms", Bound.AT_MOST,
                        1000);
                scenario.figure("other backends' streams broken", survivorsFailed, "", Bound.EXACTLY, 0);
                scenario.figure("new connections failed", newFailures, "", Bound.EXACTLY, 0);
                scenario.figure("new connections to the killed backend", perBackend[0], "", Bound.EXACTLY, 0);
                scenario.assertPassed();
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
            for (JavaProcess b : backends) {
                b.close();
            }
        }
    }

    /** Which backend a stream ran on, and when it ended by itself (nanoTime), or -1 when it ran until stopped. */
    record StreamEnd(int backend, long endedAt) {
    }

    /** Echo round trips every 10 ms until {@code stop}, or until the connection breaks. */
    private static StreamEnd stream(int port, AtomicBoolean stop) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            int backend = s.getInputStream().read();
            for (int i = 0; !stop.get(); i++) {
                if (!echoes(s, "tick" + i)) {
                    return new StreamEnd(backend, System.nanoTime());
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return new StreamEnd(backend, -1);
        }
    }

    private static boolean echoes(Socket s, String text) {
        try {
            byte[] out = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            OutputStream os = s.getOutputStream();
            os.write(out);
            os.flush();
            InputStream in = s.getInputStream();
            return Arrays.equals(in.readNBytes(out.length), out);
        } catch (IOException e) {
            return false;
        }
    }

    /** A direct connection to a backend, to see that it is up. */
    private static Socket direct(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(5000);
        return s;
    }

    private static int greeting(Socket s) throws IOException {
        try (s) {
            return s.getInputStream().read();
        }
    }
}
