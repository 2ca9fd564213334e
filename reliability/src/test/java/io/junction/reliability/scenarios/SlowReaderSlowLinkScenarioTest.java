package io.junction.reliability.scenarios;

import io.junction.reliability.frame.AgentConfig;
import io.junction.reliability.frame.AgentProcess;
import io.junction.reliability.frame.Commands;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.JavaProcess;
import io.junction.reliability.frame.Netns;
import io.junction.reliability.frame.NetnsAdmin;
import io.junction.reliability.frame.ReportExtension;
import io.junction.reliability.frame.Scenario;
import io.junction.reliability.frame.ScenarioInfo;
import io.junction.reliability.frame.Size;
import io.junction.reliability.frame.VethPair;
import io.junction.reliability.traffic.BulkReadClientMain;
import io.junction.reliability.traffic.HashingBackendMain;
import io.junction.reliability.traffic.SlowReaderTrafficMain;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * Scenario 16: a slow reader, and a slow link.
 *
 * <p>(a) Slow reader, on the loopback of a namespace the test makes (agent, and backends and clients in one traffic
 * JVM), whose TCP buffer autotuning is capped at 1 MiB: backends send as fast as they can to clients that first read
 * nothing, then read slowly. The agent must stop reading a backend while the bytes queued towards its client are over the write-buffer
 * high-water mark, so the memory it holds per connection stays within 2 × that mark, and every byte must still arrive
 * (SHA-256 equal at both ends). The memory is judged twice: with the clients stalled (the slowest reader there is),
 * and at its largest while they read slowly, when the backends finish and send their FINs. The agent exposes no
 * per-connection buffered-bytes metric, so the memory is read as the growth of its JVM's direct-buffer pool
 * ({@code jvm_buffer_memory_used_bytes{id="direct"}}) over N connections: Netty reads sockets into direct buffers,
 * which the JDK counts there (the agent runs without the reflection flags that would let Netty allocate direct memory
 * behind the JDK's back), and unlike RSS it excludes the heap and JIT code; RSS growth is noted beside it. The figures
 * come from an agent run with Netty's unpooled allocator ({@code -Dio.netty.allocator.type=unpooled}), where a
 * buffer's memory is the JDK's from its allocation to its release, so the growth is exactly the buffers held; a second
 * run with the agent's own pooled allocator is noted beside them (what that pool takes from the JDK includes its free
 * space, so it is not a per-connection count). The client's receive buffer and the backend's send buffer are small,
 * and the namespace caps the agent's own socket buffers, so that the kernel's share of the path stays well under one
 * stream and back-pressure reaches the backend: the figure that no backend finished while its client read nothing
 * shows the agent's queue was full when measured.
 *
 * <p>(b) Slow link: namespace "proxy" (agent, client JVM) joined by a veth to namespace "backend" (hashing backend
 * on 10.237.0.2), whose end has {@code tc qdisc add dev bk0 root tbf rate 8mbit burst 32kbit latency 400ms}: every
 * byte from the backend crosses an 8 Mbit/s link. One bulk download straight from the backend measures the link, one
 * through the agent must reach 90% of it (and 90% of the nominal 8 Mbit/s).
 */
@ExtendWith(ReportExtension.class)
class SlowReaderSlowLinkScenarioTest {
    /** The client's receive buffer: small, so its kernel does not soak up what the agent should be holding. */
    private static final int CLIENT_RECEIVE_BUFFER = 16 * 1024;
    /** The slow reader: this many bytes, then a pause. */
    private static final int SLOW_READ_BYTES = 16 * 1024;
    private static final long SLOW_READ_PAUSE_MILLIS = 10;
    private static final double NOMINAL_BYTES_PER_SECOND = 8_000_000 / 8.0;
    /**
     * Water marks set for part (a): 4 times the defaults. The agent reads into buffers of up to 64 KiB and stops
     * reading once what is queued (by capacity) is over the high mark, so it holds up to high + 64 KiB: with the
     * defaults (32 KiB) one full read is already 2 × high, and the bound of the issue could not tell a leak from a
     * read; at 128 KiB the design holds 192 KiB (three reads), inside 2 × high with room for the measure's noise.
     */
    private static final int HIGH_WATER = 128 * 1024;
    private static final int LOW_WATER = 64 * 1024;
    /**
     * TCP buffer autotuning caps (min, default, max bytes) in part (a)'s namespace: the host's maxima (here 32 MiB
     * receive, 4 MiB send) sometimes let the kernel's buffers on the path take a whole 8 MiB stream, so a backend
     * finished while its client read nothing although the agent had stopped reading it. At 1 MiB the path's kernel
     * buffers (backend send, agent receive, agent send, client receive) hold a few MiB at most, well under a stream.
     */
    private static final String TCP_RMEM = "4096 131072 1048576";
    private static final String TCP_WMEM = "4096 16384 1048576";

    /** Slow-reader connections and bytes each; bytes of each download over the slow link. */
    record Params(int readers, long bytesPerReader, long bulkBytes) {
        static Params of(Size size) {
            return size.pick(new Params(100, 8L << 20, 4L << 20), new Params(300, 16L << 20, 64L << 20));
        }
    }

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "16", title = "Slow reader and slow link")
    void slowReadersAreBoundedByTheWaterMarksAndASlowLinkIsFilled(Scenario scenario) throws Exception {
        Commands.assumeRootWithNetworkTools();
        Assumptions.assumeTrue(Commands.run(List.of("sh", "-c", "command -v tc")).code() == 0,
                "needs tc (iproute2) for the tbf qdisc; skipped");
        Assumptions.assumeTrue(Commands.run(List.of("sh", "-c", "command -v sysctl && command -v curl")).code() == 0,
                "needs sysctl (procps) to cap TCP buffers in part (a)'s namespace and curl to read its agent's "
                        + "metrics there; skipped");
        Params p = Params.of(scenario.size());
        slowReaders(scenario, p);
        slowLink(scenario, p);
        scenario.assertPassed();
    }

    /**
     * Part (a), once per allocator: the agent's own (Netty's pooled adaptive allocator, as in production) and
     * Netty's unpooled allocator, under which the JDK's direct-buffer pool is exactly the buffers the agent holds.
     */
    private void slowReaders(Scenario scenario, Params p) throws Exception {
        scenario.note("(a) " + p.readers() + " slow readers × " + (p.bytesPerReader() >> 20) + " MiB; "
                + "writeBufferHighWaterMark " + (HIGH_WATER >> 10) + " KiB, low " + (LOW_WATER >> 10) + " KiB; "
                + "clients read nothing until the agent's direct memory settles, then " + (SLOW_READ_BYTES >> 10)
                + " KiB every " + SLOW_READ_PAUSE_MILLIS + " ms; in a namespace with net.ipv4.tcp_rmem \"" + TCP_RMEM
                + "\", tcp_wmem \"" + TCP_WMEM + "\"");
        SlowReaderRun exact = slowReaderRun(p, "unpooled");
        SlowReaderRun pooled = slowReaderRun(p, null);
        scenario.note("(a) Netty's unpooled allocator (direct memory = buffers held): " + exact.describe(p));
        scenario.note("(a) the agent's own allocator (Netty's adaptive pool, as in production; what the pool took "
                + "from the JDK, so buffers plus the pool's free space): " + pooled.describe(p));
        for (SlowReaderRun run : List.of(exact, pooled)) {
            if (!run.problems().isEmpty()) {
                scenario.note("(a) problems: " + run.problems());
            }
        }
        scenario.figure("(a) backend streams finished while their clients read nothing (back-pressure reached "
                + "them)", exact.finishedWhileStalled() + pooled.finishedWhileStalled(), "", Bound.EXACTLY, 0);
        scenario.figure("(a) buffers held per connection, clients stalled (unpooled direct memory growth / N)",
                round(exact.stalledPerConnectionKib(p)), "KiB", Bound.AT_MOST, 2.0 * HIGH_WATER / 1024);
        // While the clients read, the backends finish and their FINs reach the agent: this is where Netty's epoll
        // transport used to read a paused leg to its end (docs/reliability.md, "What scenario 16 found").
        scenario.figure("(a) buffers held per connection at most, clients reading slowly (unpooled direct memory "
                + "growth / N, sampled every 250 ms)", round(exact.readingPerConnectionKib(p)), "KiB", Bound.AT_MOST,
                2.0 * HIGH_WATER / 1024);
        scenario.figure("(a) streams with differing SHA-256 or missing bytes", exact.differing() + pooled.differing(),
                "", Bound.EXACTLY, 0);
    }

    /** What one part-(a) run saw: direct memory (bytes) before, at the stalled plateau and at most while reading. */
    private record SlowReaderRun(double before, double stalled, double reading, long rssGrowthKib, long sentStalled,
                                 int finishedWhileStalled, int differing, List<String> problems) {
        double stalledPerConnectionKib(Params p) {
            return (stalled - before) / p.readers() / 1024;
        }

        double readingPerConnectionKib(Params p) {
            return (reading - before) / p.readers() / 1024;
        }

        String describe(Params p) {
            return String.format(Locale.ROOT, "direct memory %.1f MiB before, %.1f MiB stalled (%.1f KiB per "
                            + "connection), %.1f MiB at most while reading (%.1f KiB per connection); RSS growth "
                            + "%.1f KiB per connection stalled; the backend had sent %.1f MiB per connection when "
                            + "stalled (the rest held back by the full path)", before / (1 << 20),
                    stalled / (1 << 20), stalledPerConnectionKib(p), reading / (1 << 20), readingPerConnectionKib(p),
                    rssGrowthKib / (double) p.readers(), sentStalled / (double) p.readers() / (1 << 20));
        }
    }

    /**
     * One run of part (a); {@code allocator} is Netty's {@code io.netty.allocator.type}, or null for its default. The
     * agent and the traffic JVM (backends and slow readers) run in a namespace of their own whose TCP buffer
     * autotuning is capped ({@link #TCP_RMEM}, {@link #TCP_WMEM}).
     */
    private SlowReaderRun slowReaderRun(Params p, String allocator) throws Exception {
        String name = allocator == null ? "default" : allocator;
        try (Netns ns = Netns.create("rlsr")) {
            capTcpBuffers(ns);
            // Fixed ports are safe here: nothing else lives in a namespace this test just made.
            int admin = 9901;
            int listen = 10080;
            List<String> agentPrefix = ns.inside(allocator == null ? List.of()
                    : List.of("env", "JAVA_TOOL_OPTIONS=-Dio.netty.allocator.type=" + allocator));
            try (JavaProcess traffic = JavaProcess.start(ns.inside(List.of()), "256m",
                    dir.resolve("slow-readers-" + name + ".log"), SlowReaderTrafficMain.class.getName(),
                    Integer.toString(listen), Integer.toString(p.readers()), Long.toString(p.bytesPerReader()),
                    Integer.toString(CLIENT_RECEIVE_BUFFER), Integer.toString(SLOW_READ_BYTES),
                    Long.toString(SLOW_READ_PAUSE_MILLIS))) {
                Writer commands = new OutputStreamWriter(traffic.process().getOutputStream(),
                        StandardCharsets.UTF_8);
                int backendPort = Integer.parseInt(awaitLine(traffic, "backend", Duration.ofSeconds(30))[1]);
                try (AgentProcess agent = AgentProcess.start(agentPrefix, AgentConfig.write(
                        dir.resolve("slow-reader.yaml"), AgentConfig.head(admin) + """
                                services:
                                  - name: slow-reader
                                    listen: 127.0.0.1:%d
                                    writeBufferHighWaterMark: %d
                                    writeBufferLowWaterMark: %d
                                    endpoints: [127.0.0.1:%d]
                                """.formatted(listen, HIGH_WATER, LOW_WATER, backendPort)), admin,
                        dir.resolve("agent-a-" + name + ".log"))) {
                    NetnsAdmin adminApi = new NetnsAdmin(ns, admin);
                    adminApi.awaitReady(Duration.ofSeconds(30));
                    double before = direct(adminApi);
                    long rssBefore = agent.jvm().rssKib();
                    send(commands, "connect");
                    awaitLine(traffic, "connected", Duration.ofSeconds(70));
                    // Stalled: wait until the agent's direct memory has not moved for a second (at most 30 s).
                    double stalled = before;
                    double last = -1;
                    int still = 0;
                    long settleDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (still < 4 && System.nanoTime() < settleDeadline) {
                        Thread.sleep(250);
                        double d = direct(adminApi);
                        stalled = Math.max(stalled, d);
                        still = d == last ? still + 1 : 0;
                        last = d;
                    }
                    send(commands, "status");
                    String[] status = awaitLine(traffic, "status", Duration.ofSeconds(10));
                    long sentStalled = Long.parseLong(status[1]);
                    int finishedWhileStalled = Integer.parseInt(status[2]);
                    long rssGrowth = agent.jvm().rssKib() - rssBefore;

                    send(commands, "go");
                    double reading = stalled;
                    long readDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                    while (!traffic.output().contains("\ndone ") && System.nanoTime() < readDeadline) {
                        Thread.sleep(250);
                        reading = Math.max(reading, direct(adminApi));
                    }
                    String[] done = awaitLine(traffic, "done", Duration.ofSeconds(30));
                    List<String> problems = new ArrayList<>();
                    traffic.output().lines().filter(l -> l.startsWith("problem "))
                            .forEach(l -> problems.add(name + " " + l.substring("problem ".length())));
                    return new SlowReaderRun(before, stalled, reading, rssGrowth, sentStalled, finishedWhileStalled,
                            Integer.parseInt(done[1]), problems);
                }
            }
        }
    }

    /**
     * Caps TCP buffer autotuning in {@code ns} (per network namespace since Linux 4.15) and checks the kernel took
     * the caps: with the host's maxima (32 MiB receive here) a whole stream sometimes fits in the kernel's buffers on
     * the path, and the back-pressure figure would measure the kernel rather than the agent.
     */
    private static void capTcpBuffers(Netns ns) throws IOException, InterruptedException {
        ns.exec("sysctl", "-w", "net.ipv4.tcp_rmem=" + TCP_RMEM, "net.ipv4.tcp_wmem=" + TCP_WMEM);
        String rmem = ns.exec("sysctl", "-n", "net.ipv4.tcp_rmem").strip().replaceAll("\\s+", " ");
        String wmem = ns.exec("sysctl", "-n", "net.ipv4.tcp_wmem").strip().replaceAll("\\s+", " ");
        if (!rmem.equals(TCP_RMEM) || !wmem.equals(TCP_WMEM)) {
            throw new IllegalStateException("namespace " + ns.name() + " did not take the TCP buffer caps: tcp_rmem "
                    + rmem + ", tcp_wmem " + wmem + " (per-namespace since Linux 4.15)");
        }
    }

    private static void send(Writer commands, String command) throws IOException {
        commands.write(command + "\n");
        commands.flush();
    }

    /** The first line of {@code jvm}'s output that starts with {@code word}, split on spaces; fails after a while. */
    private static String[] awaitLine(JavaProcess jvm, String word, Duration atMost)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (true) {
            Optional<String> line = jvm.output().lines().filter(l -> l.startsWith(word + " ")).findFirst();
            if (line.isPresent()) {
                return line.get().split(" ");
            }
            if (!jvm.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("no '" + word + "' line from " + jvm.pid() + " (alive "
                        + jvm.isAlive() + ") within " + atMost + ":\n" + jvm.output());
            }
            Thread.sleep(50);
        }
    }

    private static double direct(NetnsAdmin admin) throws IOException, InterruptedException {
        return admin.metric("jvm_buffer_memory_used_bytes", "id=\"direct\"");
    }

    private void slowLink(Scenario scenario, Params p) throws Exception {
        scenario.note("(b) " + (p.bulkBytes() >> 20) + " MiB downloaded from a backend behind tbf rate 8mbit burst "
                + "32kbit latency 400ms: once directly, once through the agent");
        try (Netns proxyNs = Netns.create("rlsp"); Netns backendNs = Netns.create("rlsb")) {
            VethPair.create(proxyNs, "px0", "10.237.0.1/24", backendNs, "bk0", "10.237.0.2/24");
            backendNs.exec("tc", "qdisc", "add", "dev", "bk0", "root", "tbf", "rate", "8mbit", "burst", "32kbit",
                    "latency", "400ms");
            // Fixed ports are safe here: nothing else lives in namespaces this test just made.
            int listen = 10080;
            Path config = AgentConfig.write(dir.resolve("slow-link.yaml"), """
                    admin:
                      listen: off
                    proxy:
                      accessLog: false
                      shutdownDrainTimeout: 1s
                    services:
                      - name: slow-link
                        listen: 127.0.0.1:%d
                        endpoints: [10.237.0.2:9000]
                    """.formatted(listen));
            try (JavaProcess backend = JavaProcess.start(backendNs.inside(List.of()), "256m",
                    dir.resolve("bulk-backend.log"), HashingBackendMain.class.getName(), "10.237.0.2", "9000",
                    Long.toString(p.bulkBytes()), "2");
                 AgentProcess agent = AgentProcess.start(proxyNs.inside(List.of()), config, 0,
                         dir.resolve("agent-b.log"))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> backend.output().contains("listening"));
                await().atMost(Duration.ofSeconds(30)).until(() -> agent.jvm().output().contains("agent=started"));
                String[] direct = download(proxyNs, "10.237.0.2", 9000, 1, p);
                String[] proxied = download(proxyNs, "127.0.0.1", listen, 2, p);
                backend.process().waitFor(30, TimeUnit.SECONDS);
                String backendOut = backend.output();
                double directRate = Long.parseLong(direct[3]) / (Long.parseLong(direct[5]) / 1000.0);
                double proxiedRate = Long.parseLong(proxied[3]) / (Long.parseLong(proxied[5]) / 1000.0);
                int intact = (sameAsSent(backendOut, direct) ? 1 : 0) + (sameAsSent(backendOut, proxied) ? 1 : 0);
                scenario.note(String.format(Locale.ROOT, "(b) goodput from the first byte to the last: direct %.0f KB/s "
                                + "(%.1f%% of 8 Mbit/s) in %s ms, first byte after %s ms; through the agent %.0f KB/s "
                                + "in %s ms, first byte after %s ms; qdisc: %s", directRate / 1000,
                        100 * directRate / NOMINAL_BYTES_PER_SECOND, direct[5], direct[6], proxiedRate / 1000,
                        proxied[5], proxied[6],
                        backendNs.exec("tc", "-s", "qdisc", "show", "dev", "bk0").replace('\n', ' ')
                                .replaceAll(" +", " ")));
                scenario.figure("(b) downloads intact (SHA-256 equal to what the backend sent)", intact, "",
                        Bound.EXACTLY, 2);
                scenario.figure("(b) goodput through the agent / direct over the same link",
                        round(100 * proxiedRate / directRate), "%", Bound.AT_LEAST, 90);
                scenario.figure("(b) goodput through the agent / nominal 8 Mbit/s",
                        round(100 * proxiedRate / NOMINAL_BYTES_PER_SECOND), "%", Bound.AT_LEAST, 90);
            }
        }
    }

    /**
     * One download by a client JVM in {@code ns}: its {@code received ID BYTES SHA MILLIS FIRST_BYTE_MILLIS} line,
     * split on spaces after a leading word, so that [2] is the id, [3] the bytes, [4] the SHA-256, [5] the
     * milliseconds from the first byte to the last and [6] those from the connect to the first byte.
     */
    private String[] download(Netns ns, String host, int port, long id, Params p) throws Exception {
        try (JavaProcess client = JavaProcess.start(ns.inside(List.of()), "128m",
                dir.resolve("bulk-client-" + id + ".log"), BulkReadClientMain.class.getName(), host,
                Integer.toString(port), Long.toString(id))) {
            // The link moves about 1 MB/s: allow three times that, and a minute for everything else.
            long seconds = 60 + 3 * p.bulkBytes() / 1_000_000;
            if (!client.process().waitFor(seconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException("download " + id + " not done in " + seconds + " s");
            }
            Optional<String> line = client.output().lines().filter(l -> l.startsWith("received ")).findFirst();
            if (line.isEmpty()) {
                throw new IllegalStateException("download " + id + " failed: " + client.output());
            }
            return ("download " + line.get()).split(" ");
        }
    }

    /** Whether the backend's {@code end ID RECEIVED_BYTES RECEIVED_SHA SENT_BYTES SENT_SHA} line matches. */
    private static boolean sameAsSent(String backendOut, String[] download) {
        return backendOut.lines().filter(l -> l.startsWith("end " + download[2] + " ")).map(l -> l.split(" "))
                .anyMatch(e -> e[4].equals(download[3]) && e[5].equals(download[4]));
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
