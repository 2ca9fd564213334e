package io.junction.reliability.traffic;

import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 16(a)'s backends and slow readers in their own JVM, so that both live in the network namespace whose TCP
 * buffer sysctls the test caps (the test JVM's threads cannot leave the root namespace). The backends are a
 * {@link FastSender}; each reader connects to the agent, sends its stream id and FIN, reads nothing until told,
 * then reads {@code SLOW_READ_BYTES} every {@code SLOW_READ_PAUSE_MILLIS}. The test drives it on standard input,
 * one command a line, and reads its answers from its output:
 * <ul>
 *   <li>(at start) prints {@code backend PORT}, the FastSender's loopback port;</li>
 *   <li>{@code connect}: opens the readers to 127.0.0.1:AGENT_PORT; prints {@code connected READERS};</li>
 *   <li>{@code status}: prints {@code status SENT_BYTES FINISHED_STREAMS} (what the backends handed their kernel so
 *   far, and how many streams they wrote to the end);</li>
 *   <li>{@code go}: the readers read to the end (at most 5 minutes); prints up to 5 {@code problem TEXT} lines, then
 *   {@code done DIFFERING} (streams whose bytes or SHA-256 differ from what the backend sent, or that failed), and
 *   exits.</li>
 * </ul>
 * Usage: {@code SlowReaderTrafficMain AGENT_PORT READERS BYTES_PER_READER CLIENT_RECEIVE_BUFFER SLOW_READ_BYTES
 * SLOW_READ_PAUSE_MILLIS}.
 */
public final class SlowReaderTrafficMain {
    private SlowReaderTrafficMain() {
    }

    public static void main(String[] args) throws Exception {
        int agentPort = Integer.parseInt(args[0]);
        int readers = Integer.parseInt(args[1]);
        long bytes = Long.parseLong(args[2]);
        int receiveBuffer = Integer.parseInt(args[3]);
        int readBytes = Integer.parseInt(args[4]);
        long pauseMillis = Long.parseLong(args[5]);
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        ExecutorService pool = Executors.newFixedThreadPool(readers);
        try (FastSender backend = new FastSender(bytes)) {
            say("backend " + backend.port());
            expect(commands, "connect");
            CountDownLatch connected = new CountDownLatch(readers);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Payload.Digest>> streams = new ArrayList<>();
            for (long id = 1; id <= readers; id++) {
                long streamId = id;
                streams.add(pool.submit(() -> slowRead(agentPort, streamId, receiveBuffer, readBytes, pauseMillis,
                        connected, go)));
            }
            if (!connected.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("slow readers did not all connect");
            }
            say("connected " + readers);
            expect(commands, "status");
            say("status " + backend.sent() + " " + backend.finished().size());
            expect(commands, "go");
            go.countDown();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (!streams.stream().allMatch(Future::isDone) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Map<Long, Payload.Digest> sent = backend.finished();
            int differing = 0;
            List<String> problems = new ArrayList<>();
            for (int i = 0; i < streams.size(); i++) {
                long id = i + 1;
                Payload.Digest got = null;
                try {
                    got = streams.get(i).get(1, TimeUnit.SECONDS);
                } catch (Exception e) {
                    if (problems.size() < 5) {
                        problems.add("stream " + id + ": " + e);
                    }
                }
                if (got == null || !got.equals(sent.get(id))) {
                    differing++;
                }
            }
            backend.errors().values().stream().limit(5).forEach(e -> problems.add("backend: " + e));
            problems.forEach(p -> say("problem " + p.replace('\n', ' ')));
            say("done " + differing);
        } finally {
            pool.shutdownNow();
        }
        System.exit(0);
    }

    /** Waits for the next command, which must be {@code command}; standard input's end means the test is gone. */
    private static void expect(BufferedReader commands, String command) throws Exception {
        String line = commands.readLine();
        if (line == null) {
            throw new IllegalStateException("standard input closed while waiting for " + command);
        }
        if (!line.strip().equals(command)) {
            throw new IllegalStateException("expected " + command + ", got " + line);
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** One slow reader: connects, sends its id and FIN, waits for {@code go}, then reads slowly to the end. */
    private static Payload.Digest slowRead(int port, long id, int receiveBuffer, int readBytes, long pauseMillis,
                                           CountDownLatch connected, CountDownLatch go) throws Exception {
        try (Socket s = new Socket()) {
            // Set before connect, so the window offered from the handshake on is small and the kernel does not
            // autotune this buffer.
            s.setReceiveBufferSize(receiveBuffer);
            try {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                s.setSoTimeout(60_000);
                new DataOutputStream(s.getOutputStream()).writeLong(id);
                s.shutdownOutput();
            } finally {
                connected.countDown();
            }
            if (!go.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("never told to read");
            }
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[readBytes];
            InputStream in = s.getInputStream();
            long total = 0;
            for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0; ) {
                sha.update(buf, 0, n);
                total += n;
                Thread.sleep(pauseMillis);
            }
            return new Payload.Digest(total, HexFormat.of().formatHex(sha.digest()));
        }
    }
}
