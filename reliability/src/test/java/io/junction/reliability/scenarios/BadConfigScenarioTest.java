package io.junction.reliability.scenarios;

import io.junction.core.testing.TcpEchoServer;
import io.junction.reliability.frame.AgentConfig;
import io.junction.reliability.frame.AgentProcess;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.JavaProcess;
import io.junction.reliability.frame.Ports;
import io.junction.reliability.frame.ReportExtension;
import io.junction.reliability.frame.Scenario;
import io.junction.reliability.frame.ScenarioInfo;
import io.junction.reliability.frame.Size;
import io.junction.reliability.traffic.EchoLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Scenario 9: bad config files at process level. Each of about thirty broken files (syntax errors, wrong types, a
 * duplicate listen address, ports 0 and 65536, negative timeouts, an alias bomb, a 10 MiB file, unknown keys...) is
 * first given to a fresh agent, which must exit non-zero within 2 s naming the file, the line and the field; then
 * each is written over the config of a running agent under load, which must reject it, keep serving the old config
 * and drop no connection.
 */
@ExtendWith(ReportExtension.class)
class BadConfigScenarioTest {
    /** Any positive line is expected (the parser's idea of where a syntax error is). */
    private static final int ANY_LINE = -1;
    /** The problem is the whole file: no line or field to name. */
    private static final int NO_LINE = 0;

    /** Held connections and connector threads during the bad reloads. */
    record Params(int held, int connectors) {
        static Params of(Size size) {
            return size.pick(new Params(4, 1), new Params(16, 2));
        }
    }

    /**
     * One broken file.
     *
     * @param name  what is wrong, for the report
     * @param bytes the file
     * @param line  the line the error must name, {@link #ANY_LINE} or {@link #NO_LINE}
     * @param field the field path the error must name; empty when the problem has none
     */
    record Bad(String name, byte[] bytes, int line, String field) {
    }

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "9", title = "Bad config files at start and on reload")
    void badFilesAreRefusedAtStartAndOnReloadWithoutDroppingAConnection(Scenario scenario) throws Exception {
        Params p = Params.of(scenario.size());
        int admin = Ports.free();
        int listen = Ports.free();
        try (TcpEchoServer backend = new TcpEchoServer()) {
            Base base = new Base(admin, listen, backend.address().getPort());
            List<Bad> cases = cases(base);
            scenario.note(cases.size() + " bad files: " + cases.stream().map(Bad::name).toList());

            // At start: a fresh agent per file.
            int exitedNonZero = 0;
            int named = 0;
            double slowestExitMillis = 0;
            List<String> misses = new ArrayList<>();
            for (int i = 0; i < cases.size(); i++) {
                Bad bad = cases.get(i);
                Path file = dir.resolve("start-" + i + ".yaml");
                Files.write(file, bad.bytes());
                long t0 = System.nanoTime();
                try (AgentProcess agent = AgentProcess.start(List.of(), file, admin,
                        dir.resolve("start-" + i + ".log"))) {
                    JavaProcess jvm = agent.jvm();
                    boolean exited = jvm.process().waitFor(10, TimeUnit.SECONDS);
                    double ms = (System.nanoTime() - t0) / 1e6;
                    slowestExitMillis = Math.max(slowestExitMillis, exited ? ms : 10_000);
                    String out = agent.outputQuietly();
                    if (exited && jvm.process().exitValue() != 0) {
                        exitedNonZero++;
                    } else {
                        misses.add(bad.name() + ": " + (exited ? "exit 0" : "still running"));
                    }
                    if (names(out, file, bad)) {
                        named++;
                    } else if (misses.size() < 8) {
                        misses.add(bad.name() + ": error does not name " + file.getFileName() + " line "
                                + bad.line() + " field '" + bad.field() + "': " + firstErrorLine(out));
                    }
                }
            }

            // On reload: a running agent under load, every bad file written over its config in turn.
            Path config = dir.resolve("junction.yaml");
            AgentConfig.write(config, base.yaml(""));
            int rejected = 0;
            double reloadsAfter;
            try (AgentProcess agent = AgentProcess.startReady(config, admin, dir.resolve("agent.log"));
                 EchoLoad load = EchoLoad.start(new InetSocketAddress("127.0.0.1", listen), p.held(),
                         p.connectors(), 10)) {
                for (Bad bad : cases) {
                    double before = agent.metric("junction_config_reload_failures_total");
                    replace(config, bad.bytes());
                    long t0 = System.nanoTime();
                    while (agent.metric("junction_config_reload_failures_total") <= before
                            && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5)) {
                        Thread.sleep(20);
                    }
                    if (agent.metric("junction_config_reload_failures_total") > before) {
                        rejected++;
                    } else if (misses.size() < 12) {
                        misses.add(bad.name() + ": reload not counted as rejected within 5 s");
                    }
                }
                Thread.sleep(500); // the load goes on after the last bad file
                reloadsAfter = agent.metric("junction_config_reloads_total");
                boolean ready = agent.get("/readyz").statusCode() == 200;
                scenario.note(load.connected() + " connections, " + load.roundTrips() + " round trips during the "
                        + "bad reloads; ready afterwards: " + ready
                        + (load.firstProblems().isEmpty() ? "" : "; first problems: " + load.firstProblems()));
                if (!misses.isEmpty()) {
                    scenario.note("misses: " + misses);
                }
                scenario.figure("files refused at start with a non-zero exit", exitedNonZero, "", Bound.EXACTLY,
                        cases.size());
                scenario.figure("slowest exit", slowestExitMillis, "ms", Bound.AT_MOST, 2000);
                scenario.figure("errors naming file, line and field (where the problem has them)", named, "",
                        Bound.EXACTLY, cases.size());
                scenario.figure("bad reloads rejected", rejected, "", Bound.EXACTLY, cases.size());
                scenario.figure("good loads after the first (old config replaced)", reloadsAfter - 1, "",
                        Bound.EXACTLY, 0);
                scenario.figure("connections dropped or broken", load.broken(), "", Bound.EXACTLY, 0);
                scenario.figure("failed connects", load.failedConnects(), "", Bound.EXACTLY, 0);
                scenario.figure("round trips during the bad reloads", load.roundTrips(), "", Bound.AT_LEAST,
                        cases.size() * 10);
                scenario.assertPassed();
            }
        }
    }

    /** Whether the agent's output names the file, the line (when expected) and the field (when expected). */
    private static boolean names(String out, Path file, Bad bad) {
        String f = Pattern.quote(file.toString());
        boolean line = switch (bad.line()) {
            case NO_LINE -> out.contains(file.toString());
            case ANY_LINE -> Pattern.compile(f + ":\\d+").matcher(out).find();
            default -> Pattern.compile(f + ":" + bad.line() + "\\b").matcher(out).find();
        };
        return line && out.contains(bad.field());
    }

    private static String firstErrorLine(String out) {
        return out.lines().filter(l -> l.contains(".yaml")).findFirst().orElse(out.lines().findFirst().orElse(""));
    }

    private static void replace(Path file, byte[] bytes) throws java.io.IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The good file the bad ones are made from. Line numbers: 1 admin, 2 listen, 3 proxy, 4 accessLog, 5
     * shutdownDrainTimeout, 6 services, 7 name, 8 listen, 9 endpoints, 10 onwards the extra lines.
     */
    record Base(int admin, int listen, int backend) {
        String yaml(String extra) {
            return lines("  - name: web", "    listen: 127.0.0.1:" + listen,
                    "    endpoints: [127.0.0.1:" + backend + "]", extra);
        }

        String lines(String name, String listenLine, String endpoints, String extra) {
            return AgentConfig.head(admin) + "services:\n" + name + "\n" + listenLine + "\n" + endpoints + "\n"
                    + extra;
        }
    }

    private static List<Bad> cases(Base b) {
        String ep = "127.0.0.1:" + b.backend();
        String good = b.yaml("");
        List<Bad> c = new ArrayList<>();
        c.add(text("syntax: unclosed flow sequence", b.lines("  - name: web", "    listen: 127.0.0.1:" + b.listen(),
                "    endpoints: [" + ep, ""), ANY_LINE, ""));
        c.add(text("syntax: tab indentation", b.yaml("\tidleTimeout: 1s\n"), ANY_LINE, ""));
        c.add(text("syntax: sequence item inside a mapping", b.yaml("    - oops\n"), ANY_LINE, ""));
        c.add(text("syntax: unterminated quote", b.yaml("    lb: \"round-robin\n"), ANY_LINE, ""));
        c.add(text("wrong type: maxConnections a word", b.yaml("    maxConnections: many\n"), 10,
                "services[0].maxConnections"));
        c.add(text("wrong type: listen a list", b.lines("  - name: web", "    listen: [1, 2]", "    endpoints: ["
                + ep + "]", ""), 8, "services[0].listen"));
        c.add(text("wrong type: services a string", AgentConfig.head(b.admin()) + "services: web\n", 6, "services"));
        c.add(text("wrong type: accessLog", good.replace("  accessLog: false", "  accessLog: sometimes"), 4,
                "proxy.accessLog"));
        c.add(text("duplicate listen address", b.yaml("  - name: api\n    listen: 127.0.0.1:" + b.listen()
                + "\n    endpoints: [" + ep + "]\n"), 11, "services[1].listen"));
        c.add(text("listen port 0", b.lines("  - name: web", "    listen: 127.0.0.1:0", "    endpoints: [" + ep + "]",
                ""), 8, "services[0].listen"));
        c.add(text("listen port 65536", b.lines("  - name: web", "    listen: 127.0.0.1:65536", "    endpoints: ["
                + ep + "]", ""), 8, "services[0].listen"));
        c.add(text("endpoint port 65536", b.lines("  - name: web", "    listen: 127.0.0.1:" + b.listen(),
                "    endpoints: [127.0.0.1:65536]", ""), 9, "services[0].endpoints[0]"));
        c.add(text("negative connectTimeout", b.yaml("    connectTimeout: -1s\n"), 10, "services[0].connectTimeout"));
        c.add(text("negative idleTimeout", b.yaml("    idleTimeout: -5m\n"), 10, "services[0].idleTimeout"));
        c.add(text("negative shutdownDrainTimeout", good.replace("shutdownDrainTimeout: 1s",
                "shutdownDrainTimeout: -5s"), 5, "proxy.shutdownDrainTimeout"));
        c.add(text("alias bomb", good + aliasBomb(), ANY_LINE, ""));
        c.add(new Bad("10 MiB file", tenMiB(good), NO_LINE, ""));
        c.add(text("unknown top-level key", good + "servics: []\n", 10, "servics"));
        c.add(text("unknown service key", b.yaml("    listn: 127.0.0.1:1\n"), 10, "services[0].listn"));
        c.add(text("unknown endpoint key", b.lines("  - name: web", "    listen: 127.0.0.1:" + b.listen(),
                "    endpoints: [{address: \"" + ep + "\", wieght: 2}]", ""), 9, "services[0].endpoints[0].wieght"));
        c.add(text("unknown proxy key", good.replace("  accessLog: false", "  acessLog: false"), 4,
                "proxy.acessLog"));
        c.add(text("duplicate key", b.yaml("    listen: 127.0.0.1:" + b.listen() + "\n"), 10, "services[0].listen"));
        c.add(text("two documents", good + "---\nservices: []\n", ANY_LINE, ""));
        c.add(text("nesting deeper than 32", b.yaml("    zone: " + "[".repeat(40) + "]".repeat(40) + "\n"),
                ANY_LINE, ""));
        c.add(text("unknown lb", b.yaml("    lb: fastest\n"), 10, "services[0].lb"));
        c.add(text("duration without a unit", b.yaml("    idleTimeout: 5\n"), 10, "services[0].idleTimeout"));
        c.add(text("maxConnectAttempts 0", b.yaml("    maxConnectAttempts: 0\n"), 10,
                "services[0].maxConnectAttempts"));
        c.add(text("weight 1001", b.lines("  - name: web", "    listen: 127.0.0.1:" + b.listen(),
                "    endpoints: [{address: \"" + ep + "\", weight: 1001}]", ""), 9, "services[0].endpoints[0].weight"));
        c.add(text("service name with capitals", good.replace("  - name: web", "  - name: Web_1"), 7,
                "services[0].name"));
        c.add(text("duplicate endpoint", b.lines("  - name: web", "    listen: 127.0.0.1:" + b.listen(),
                "    endpoints: [" + ep + ", " + ep + "]", ""), 9, "services[0].endpoints"));
        c.add(text("TCP key on a UDP service", b.yaml("    protocol: udp\n    connectTimeout: 1s\n"), 11,
                "services[0].connectTimeout"));
        c.add(text("low water mark above high", b.yaml("    writeBufferLowWaterMark: 64KiB\n"), 10,
                "services[0].writeBufferLowWaterMark"));
        c.add(text("size with a made-up unit", b.yaml("    writeBufferHighWaterMark: 32 potatoes\n"), 10,
                "services[0].writeBufferHighWaterMark"));
        c.add(text("empty file", "", NO_LINE, ""));
        ByteArrayOutputStream utf8 = new ByteArrayOutputStream();
        utf8.writeBytes(b.yaml("    zone: ").getBytes(StandardCharsets.UTF_8));
        utf8.writeBytes(new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc3, '\n'});
        c.add(new Bad("invalid UTF-8", utf8.toByteArray(), ANY_LINE, ""));
        return c;
    }

    private static Bad text(String name, String yaml, int line, String field) {
        return new Bad(name, yaml.getBytes(StandardCharsets.UTF_8), line, field);
    }

    /** Billion laughs: nine levels of anchors, each referring nine times to the one before. */
    private static String aliasBomb() {
        StringBuilder s = new StringBuilder("bomb:\n  l0: &l0 [\"lol\"]\n");
        for (int i = 1; i < 9; i++) {
            s.append("  l").append(i).append(": &l").append(i).append(" [");
            for (int j = 0; j < 9; j++) {
                s.append(j == 0 ? "" : ", ").append("*l").append(i - 1);
            }
            s.append("]\n");
        }
        return s.toString();
    }

    /** A good config padded with comment lines to 10 MiB: refused for its size alone. */
    private static byte[] tenMiB(String good) {
        StringBuilder s = new StringBuilder(good);
        String comment = "# " + "x".repeat(97) + "\n";
        while (s.length() < 10 << 20) {
            s.append(comment);
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }
}
