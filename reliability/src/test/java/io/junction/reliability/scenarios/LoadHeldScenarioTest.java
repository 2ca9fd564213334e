package io.junction.reliability.scenarios;

import io.junction.reliability.frame.AgentConfig;
import io.junction.reliability.frame.AgentProcess;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.Ports;
import io.junction.reliability.frame.ReportExtension;
import io.junction.reliability.frame.Scenario;
import io.junction.reliability.frame.ScenarioInfo;
import io.junction.reliability.frame.Size;
import io.junction.reliability.traffic.HashingBackend;
import io.junction.reliability.traffic.Payload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Scenario 1: bulk streams in both directions at once through the agent arrive byte for byte. */
@ExtendWith(ReportExtension.class)
class LoadHeldScenarioTest {
    /** Streams at once, and bytes each way per stream. */
    record Params(int streams, long bytesEachWay) {
        static Params of(Size size) {
            return size.pick(new Params(4, 16L << 20), new Params(8, 256L << 20));
        }
    }

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "1", title = "Load held: bulk streams each way, SHA-256 equal")
    void everyByteOfEveryStreamArrivesInBothDirections(Scenario scenario) throws Exception {
        Params p = Params.of(scenario.size());
        scenario.note(p.streams() + " streams × " + (p.bytesEachWay() >> 20) + " MiB each way, at once");
        int admin = Ports.free();
        int listen = Ports.free();
        ExecutorService clients = Executors.newFixedThreadPool(p.streams());
        try (HashingBackend backend = new HashingBackend(p.bytesEachWay());
             AgentProcess agent = AgentProcess.startReady(AgentConfig.write(dir.resolve("junction.yaml"),
                     AgentConfig.head(admin) + """
                             services:
                               - name: bulk
                                 listen: 127.0.0.1:%d
                                 endpoints: [127.0.0.1:%d]
                             """.formatted(listen, backend.port())), admin, dir.resolve("agent.log"))) {
            long start = System.nanoTime();
            List<Future<ClientEnd>> futures = new ArrayList<>();
            for (long id = 0; id < p.streams(); id++) {
                long streamId = id;
                futures.add(clients.submit(() -> runStream(listen, streamId, p.bytesEachWay())));
            }
            List<ClientEnd> done = new ArrayList<>();
            List<String> clientErrors = new ArrayList<>();
            for (Future<ClientEnd> f : futures) {
                try {
                    done.add(f.get(14, TimeUnit.MINUTES));
                } catch (java.util.concurrent.ExecutionException e) {
                    clientErrors.add(String.valueOf(e.getCause()));
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // A client is done once the backend's output has ended; the backend records its end of the stream a moment
            // after shutting that output, so wait for every stream's record (bounded) before comparing.
            long recordedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (backend.ends().size() + backend.errors().size() < p.streams() && System.nanoTime() < recordedBy) {
                Thread.sleep(10);
            }

            Map<Long, HashingBackend.StreamEnd> ends = backend.ends();
            int mismatched = 0;
            long bytesIntact = 0;
            for (ClientEnd c : done) {
                HashingBackend.StreamEnd b = ends.get(c.id());
                boolean up = b != null && b.received().equals(c.sent());
                boolean down = b != null && b.sent().equals(c.received());
                mismatched += (up ? 0 : 1) + (down ? 0 : 1);
                bytesIntact += (up ? c.sent().bytes() : 0) + (down ? c.received().bytes() : 0);
            }
            int failedStreams = clientErrors.size() + backend.errors().size();
            scenario.note("agent counted " + Math.round(agent.metric("junction_bytes_total") / (1 << 20))
                    + " MiB forwarded (junction_bytes_total, both directions)");
            scenario.note(String.format(java.util.Locale.ROOT, "%.1f s, %.0f MiB/s both directions together",
                    seconds, 2.0 * p.streams() * p.bytesEachWay() / (1 << 20) / seconds));
            if (!clientErrors.isEmpty() || !backend.errors().isEmpty()) {
                scenario.note("client errors " + clientErrors + ", backend errors " + backend.errors());
            }
            scenario.figure("directions with differing SHA-256", mismatched + 2.0 * clientErrors.size(), "",
                    Bound.EXACTLY, 0);
            scenario.figure("failed streams", failedStreams, "", Bound.EXACTLY, 0);
            scenario.figure("bytes delivered intact", bytesIntact / (double) (1 << 20), "MiB", Bound.AT_LEAST,
                    2.0 * p.streams() * p.bytesEachWay() / (1 << 20));
            scenario.assertPassed();
        } finally {
            clients.shutdownNow();
        }
    }

    /** A client's view of one stream. */
    record ClientEnd(long id, Payload.Digest sent, Payload.Digest received) {
    }

    private static ClientEnd runStream(int port, long id, long bytes) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(60_000);
            ExecutorService reader = Executors.newSingleThreadExecutor();
            try {
                Future<Payload.Digest> received = reader.submit(() -> Payload.readToEnd(s.getInputStream()));
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeLong(id);
                Payload.Digest sent = Payload.write(out, bytes, id * 31 + 7);
                s.shutdownOutput();
                return new ClientEnd(id, sent, received.get(14, TimeUnit.MINUTES));
            } finally {
                reader.shutdownNow();
            }
        }
    }
}
