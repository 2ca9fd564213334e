package io.junction.reliability.scenarios;

import io.junction.reliability.frame.AgentConfig;
import io.junction.reliability.frame.AgentProcess;
import io.junction.reliability.frame.FaultRow;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.Ports;
import io.junction.reliability.frame.ReportExtension;
import io.junction.reliability.frame.Scenario;
import io.junction.reliability.frame.ScenarioInfo;
import io.junction.reliability.frame.Size;
import io.junction.reliability.traffic.FinRstBackend;
import io.junction.reliability.traffic.Payload;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 5: a half-close in either direction loses no byte of the direction still open, and a reset from either
 * side reaches the other as a reset, never as a clean end of stream.
 */
@ExtendWith(ReportExtension.class)
class HalfCloseResetScenarioTest {
    /** Half-close trials per direction, reset trials per direction, bytes per trial. */
    record Params(int halfCloses, int resets, int bytes) {
        static Params of(Size size) {
            return size.pick(new Params(100, 20, 64 * 1024), new Params(1000, 200, 64 * 1024));
        }
    }

    @TempDir
    Path dir;

    @FaultRow
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "5", title = "Half-closes both ways, resets propagated")
    void halfClosesLoseNothingAndResetsStayResets(Scenario scenario) throws Exception {
        Params p = Params.of(scenario.size());
        scenario.note(p.halfCloses() + " half-closes per direction and " + p.resets() + " resets per direction, "
                + p.bytes() / 1024 + " KiB per trial, 4 at a time");
        int admin = Ports.free();
        int listen = Ports.free();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (FinRstBackend backend = new FinRstBackend(p.bytes());
             AgentProcess agent = AgentProcess.startReady(AgentConfig.write(dir.resolve("junction.yaml"),
                     AgentConfig.head(admin) + """
                             services:
                               - name: halfclose
                                 listen: 127.0.0.1:%d
                                 endpoints: [127.0.0.1:%d]
                             """.formatted(listen, backend.port())), admin, dir.resolve("agent.log"))) {
            long clientHalfTruncated = count(pool, p.halfCloses(), id -> clientHalfClose(listen, id, p.bytes()));
            long serverHalfTruncated = count(pool, p.halfCloses(),
                    id -> serverHalfClose(listen, backend, 1_000_000 + id, p.bytes()));
            long backendResetsSeen = count(pool, p.resets(), id -> backendReset(listen, 2_000_000 + id));
            long clientAborts = count(pool, p.resets(), id -> clientAbort(listen, 3_000_000 + id));
            // The backend learns of each abort asynchronously; give the last ones up to 2 s to land.
            long abortsSeen = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            do {
                abortsSeen = 0;
                for (int i = 0; i < p.resets(); i++) {
                    abortsSeen += "reset".equals(backend.ending(3_000_000 + i)) ? 1 : 0;
                }
            } while (abortsSeen < p.resets() && System.nanoTime() < deadline && sleep());

            scenario.note("agent: " + (long) agent.metric("junction_connections_total") + " connections, failures "
                    + (long) agent.metric("junction_failures_total"));
            scenario.figure("truncated or corrupted, client half-closed first", clientHalfTruncated, "",
                    Bound.EXACTLY, 0);
            scenario.figure("truncated or corrupted, backend half-closed first", serverHalfTruncated, "",
                    Bound.EXACTLY, 0);
            scenario.figure("backend RSTs seen by the client as a reset", backendResetsSeen, "", Bound.EXACTLY,
                    p.resets());
            scenario.figure("client RSTs seen by the backend as a reset", abortsSeen, "", Bound.EXACTLY,
                    p.resets());
            scenario.figure("client aborts that failed before the RST", p.resets() - clientAborts, "",
                    Bound.EXACTLY, 0);
            scenario.assertPassed();
        } finally {
            pool.shutdownNow();
        }
    }

    /** A trial by number; true when it counts (a truncation, a reset seen...). */
    private interface Trial {
        boolean run(long id) throws Exception;
    }

    /** Runs {@code n} trials on the pool; how many returned true. */
    private static long count(ExecutorService pool, int n, Trial trial) throws Exception {
        List<Future<Boolean>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long id = i;
            Callable<Boolean> c = () -> trial.run(id);
            all.add(pool.submit(c));
        }
        long yes = 0;
        for (Future<Boolean> f : all) {
            yes += f.get(60, TimeUnit.SECONDS) ? 1 : 0;
        }
        return yes;
    }

    /** Client sends, FINs, then reads the backend's answer sent only after that FIN: true when truncated. */
    private static boolean clientHalfClose(int port, long id, int bytes) throws IOException {
        try (Socket s = open(port, 'C', id)) {
            Payload.Digest sent = Payload.write(s.getOutputStream(), bytes, id);
            s.shutdownOutput();
            return !Payload.readToEnd(s.getInputStream()).equals(sent);
        } catch (IOException e) {
            return true;
        }
    }

    /** Backend sends and FINs; the client reads to the end, then sends its own bytes: true when either is short. */
    private static boolean serverHalfClose(int port, FinRstBackend backend, long id, int bytes) throws Exception {
        Payload.Digest expected;
        Payload.Digest sent;
        try (Socket s = open(port, 'S', id)) {
            Payload.Digest got = Payload.readToEnd(s.getInputStream());
            expected = Payload.write(java.io.OutputStream.nullOutputStream(), bytes, id);
            if (!got.equals(expected)) {
                return true;
            }
            sent = Payload.write(s.getOutputStream(), bytes, ~id);
            s.shutdownOutput();
        } catch (IOException e) {
            return true;
        }
        // Our input already ended with the backend's FIN: the backend's digest is stored once it read our FIN.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (backend.receivedAfterFin(id) == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return !sent.equals(backend.receivedAfterFin(id));
    }

    /** Backend sends, then resets: true when the client saw a reset (not a clean end of stream). */
    private static boolean backendReset(int port, long id) {
        try (Socket s = open(port, 'R', id)) {
            Payload.readToEnd(s.getInputStream());
            return false;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("reset");
        }
    }

    /** Client connects, hears the backend, sends a little, then resets: true when the abort was made. */
    private static boolean clientAbort(int port, long id) {
        try {
            Socket s = open(port, 'A', id);
            if (s.getInputStream().read() != 1) {
                s.close();
                return false;
            }
            s.getOutputStream().write(new byte[512]);
            s.getOutputStream().flush();
            s.setSoLinger(true, 0);
            s.close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Socket open(int port, char trial, long id) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.write(trial);
        out.writeLong(id);
        out.flush();
        return s;
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(20);
        return true;
    }
}
