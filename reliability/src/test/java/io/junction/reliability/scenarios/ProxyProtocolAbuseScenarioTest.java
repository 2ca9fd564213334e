package io.junction.reliability.scenarios;

import io.junction.core.testing.ProxyHeaderBackend;
import io.junction.reliability.frame.AgentConfig;
import io.junction.reliability.frame.AgentProcess;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.Ports;
import io.junction.reliability.frame.ReportExtension;
import io.junction.reliability.frame.Scenario;
import io.junction.reliability.frame.ScenarioInfo;
import io.junction.reliability.frame.Size;
import io.junction.reliability.traffic.ProxyHeaderCases;
import io.junction.reliability.traffic.ProxyHeaderCases.Case;
import io.junction.reliability.traffic.ProxyHeaderCases.Expect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 23: PROXY protocol abuse against an agent process whose service accepts PROXY protocol from 127.0.0.2/32
 * and sends a v1 header on to its backend. Per round, every case of {@link ProxyHeaderCases} runs at once: well-formed
 * v1 and v2 headers (some split across slow writes within the timeout, one v2 LOCAL), malformed ones (bad signature,
 * over-long v1 line, bad ports, addresses, family, protocol, version, command, length), headers that never complete
 * (silence, truncation, one byte at a time past the timeout), one that leaves with a FIN part way, and well-formed
 * headers from 127.0.0.3, outside the trusted block. The backend counts what reaches it and reads the header the agent
 * sends on, so the client it names is what the agent made of the accepted header.
 */
@ExtendWith(ReportExtension.class)
class ProxyProtocolAbuseScenarioTest {
    private static final String TRUSTED = "127.0.0.2";
    private static final String UNTRUSTED = "127.0.0.3";
    private static final long TIMEOUT_MILLIS = 1000;
    /** A header in pieces this far apart completes within the timeout (4 pieces: 450 ms). */
    private static final long SLOW_PAUSE_MILLIS = 150;
    /** One byte this often never completes a v1 header within the timeout. */
    private static final long STALL_PAUSE_MILLIS = 150;
    /** Malformed, untrusted and departed peers: closed within this of their last byte (or of the connect). */
    private static final double PROMPT_CLOSE_MILLIS = 500;
    /** Timed-out peers: closed within this after the timeout (not before it). */
    private static final double TIMEOUT_SLACK_MILLIS = 1000;

    /** Rounds; each round runs every case of {@link ProxyHeaderCases#round} at once. */
    record Params(int rounds) {
        static Params of(Size size) {
            return size.pick(new Params(2), new Params(25));
        }
    }

    /**
     * What one connection showed.
     *
     * @param closedAfterMillis when the agent closed it, from the reference moment of its case; -1 when it did not
     * @param echoed            a forwarded case: its bytes came back through the backend
     * @param localPort         the client socket's port (the client of a v2 LOCAL header)
     */
    record Outcome(Case c, double closedAfterMillis, boolean echoed, int localPort) {
    }

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "23", title = "PROXY protocol abuse: malformed, stalled and untrusted headers")
    void malformedStalledAndUntrustedHeadersAreClosedAndCountedAndOnlyGoodOnesReachTheBackend(Scenario scenario)
            throws Exception {
        Params p = Params.of(scenario.size());
        int admin = Ports.free();
        int listen = Ports.free();
        List<Case> catalogue = ProxyHeaderCases.round(0, SLOW_PAUSE_MILLIS, STALL_PAUSE_MILLIS);
        scenario.note(p.rounds() + " rounds of " + catalogue.size() + " concurrent connections: "
                + catalogue.stream().map(c -> c.name() + " (" + c.expect().name().toLowerCase(Locale.ROOT) + ")")
                .toList());
        scenario.note("acceptProxyProtocol {trustedCidrs: [" + TRUSTED + "/32], timeout: " + TIMEOUT_MILLIS
                + "ms}, proxyProtocol: send-v1; untrusted peer " + UNTRUSTED);
        ExecutorService pool = Executors.newCachedThreadPool();
        try (ProxyHeaderBackend backend = new ProxyHeaderBackend("127.0.0.1");
             AgentProcess agent = AgentProcess.startReady(AgentConfig.write(dir.resolve("junction.yaml"),
                     AgentConfig.head(admin) + """
                             services:
                               - name: pp
                                 listen: 127.0.0.1:%d
                                 proxyProtocol: send-v1
                                 acceptProxyProtocol: {trustedCidrs: [%s/32], timeout: %dms}
                                 endpoints: [127.0.0.1:%d]
                             """.formatted(listen, TRUSTED, TIMEOUT_MILLIS, backend.address().getPort())),
                     admin, dir.resolve("agent.log"))) {
            List<Outcome> outcomes = new ArrayList<>();
            for (int r = 0; r < p.rounds(); r++) {
                List<Future<Outcome>> running = new ArrayList<>();
                for (Case c : ProxyHeaderCases.round(r, SLOW_PAUSE_MILLIS, STALL_PAUSE_MILLIS)) {
                    running.add(pool.submit(() -> run(c, listen)));
                }
                for (Future<Outcome> f : running) {
                    outcomes.add(f.get(60, TimeUnit.SECONDS));
                }
            }
            Thread.sleep(300); // a connection the agent wrongly let through would reach the backend by now

            Map<Expect, Integer> expected = new EnumMap<>(Expect.class);
            outcomes.forEach(o -> expected.merge(o.c().expect(), 1, Integer::sum));
            int forwardedExpected = expected.getOrDefault(Expect.FORWARDED, 0);
            int refusedExpected = outcomes.size() - forwardedExpected;

            // What the backend read in the agent's headers, against what each forwarded client claimed.
            Map<String, Integer> seen = new HashMap<>();
            while (backend.pending() > 0) {
                ProxyHeaderBackend.Header h = backend.next(Duration.ofSeconds(1));
                seen.merge(key(h.sourceAddress(), h.sourcePort()), 1, Integer::sum);
            }
            int forwardedRight = 0;
            List<String> problems = new ArrayList<>();
            int refusedClosed = 0;
            double slowestPrompt = 0;
            double earliestTimeout = Double.MAX_VALUE;
            Map<Expect, Double> slowestByKind = new EnumMap<>(Expect.class);
            double latestTimeout = 0;
            for (Outcome o : outcomes) {
                Case c = o.c();
                if (c.expect() == Expect.FORWARDED) {
                    String want = c.client() == null ? key(TRUSTED, o.localPort()) : key(c.client(), c.clientPort());
                    boolean named = seen.merge(want, -1, Integer::sum) >= 0;
                    if (o.echoed() && named) {
                        forwardedRight++;
                    } else if (problems.size() < 10) {
                        problems.add(c.name() + ": echoed " + o.echoed() + ", backend saw " + want + " " + named);
                    }
                    continue;
                }
                if (o.closedAfterMillis() < 0) {
                    if (problems.size() < 10) {
                        problems.add(c.name() + ": not closed");
                    }
                    continue;
                }
                refusedClosed++;
                if (c.expect() == Expect.TIMEOUT) {
                    earliestTimeout = Math.min(earliestTimeout, o.closedAfterMillis());
                    latestTimeout = Math.max(latestTimeout, o.closedAfterMillis());
                } else {
                    slowestPrompt = Math.max(slowestPrompt, o.closedAfterMillis());
                    slowestByKind.merge(c.expect(), tenth(o.closedAfterMillis()), Math::max);
                }
            }
            double malformed = agent.metric("junction_proxy_protocol_rejected_total", "reason=\"malformed\"");
            double timeout = agent.metric("junction_proxy_protocol_rejected_total", "reason=\"timeout\"");
            double untrusted = agent.metric("junction_proxy_protocol_rejected_total", "reason=\"untrusted\"");
            double connections = agent.metric("junction_connections_total");
            scenario.note(outcomes.size() + " connections: " + expected + "; backend accepted " + backend.accepted()
                    + ", malformed headers from the agent " + backend.malformed() + "; timeout closes after "
                    + Math.round(earliestTimeout) + ".." + Math.round(latestTimeout)
                    + " ms; slowest prompt close by kind (ms) " + slowestByKind
                    + (problems.isEmpty() ? "" : "; problems: " + problems));

            scenario.figure("well-formed trusted headers forwarded, the backend seeing the named client",
                    forwardedRight, "", Bound.EXACTLY, forwardedExpected);
            scenario.figure("malformed, stalled, departed and untrusted connections closed", refusedClosed, "",
                    Bound.EXACTLY, refusedExpected);
            scenario.figure("connections reaching the backend beyond the forwarded ones",
                    backend.accepted() - forwardedExpected, "", Bound.EXACTLY, 0);
            scenario.figure("slowest close of a malformed, untrusted or departed peer", tenth(slowestPrompt), "ms",
                    Bound.AT_MOST, PROMPT_CLOSE_MILLIS);
            scenario.figure("earliest close of a stalled header (timeout " + TIMEOUT_MILLIS + " ms)",
                    tenth(earliestTimeout), "ms", Bound.AT_LEAST, TIMEOUT_MILLIS - 50);
            scenario.figure("latest close of a stalled header", tenth(latestTimeout), "ms", Bound.AT_MOST,
                    TIMEOUT_MILLIS + TIMEOUT_SLACK_MILLIS);
            scenario.figure("counted malformed", malformed, "", Bound.EXACTLY,
                    expected.getOrDefault(Expect.MALFORMED, 0));
            scenario.figure("counted timeout", timeout, "", Bound.EXACTLY, expected.getOrDefault(Expect.TIMEOUT, 0));
            scenario.figure("counted untrusted", untrusted, "", Bound.EXACTLY,
                    expected.getOrDefault(Expect.UNTRUSTED, 0));
            scenario.figure("junction_connections_total (counted from the header on)", connections, "",
                    Bound.EXACTLY, forwardedExpected);
            scenario.assertPassed();
        } finally {
            pool.shutdownNow();
        }
    }

    /** Runs one case; the reference moment is the connect for timeouts and untrusted peers, else the last byte. */
    private static Outcome run(Case c, int listen) throws IOException, InterruptedException {
        String source = c.expect() == Expect.UNTRUSTED ? UNTRUSTED : TRUSTED;
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(new InetSocketAddress("127.0.0.1", listen), 5000);
            long connected = System.nanoTime();
            long reference = connected;
            OutputStream out = s.getOutputStream();
            try {
                for (int i = 0; i < c.pieces().size(); i++) {
                    if (i > 0) {
                        Thread.sleep(c.pauseMillis());
                    }
                    out.write(c.pieces().get(i));
                    out.flush();
                    if (c.expect() != Expect.TIMEOUT && c.expect() != Expect.UNTRUSTED) {
                        reference = System.nanoTime();
                    }
                }
            } catch (IOException closedWhileWriting) {
                return new Outcome(c, (System.nanoTime() - reference) / 1e6, false, s.getLocalPort());
            }
            InputStream in = s.getInputStream();
            if (c.expect() == Expect.FORWARDED) {
                s.setSoTimeout(5000);
                byte[] ping = ("ping " + c.name()).getBytes(StandardCharsets.US_ASCII);
                try {
                    out.write(ping);
                    out.flush();
                    return new Outcome(c, -1, Arrays.equals(in.readNBytes(ping.length), ping), s.getLocalPort());
                } catch (IOException e) {
                    return new Outcome(c, -1, false, s.getLocalPort());
                }
            }
            if (c.expect() == Expect.LEFT) {
                s.shutdownOutput();
                reference = System.nanoTime();
            }
            s.setSoTimeout((int) (TIMEOUT_MILLIS + 3000));
            try {
                int b = in.read();
                // Any byte back would be the proxy answering a refused peer: not a close.
                return new Outcome(c, b < 0 ? (System.nanoTime() - reference) / 1e6 : -1, false, s.getLocalPort());
            } catch (SocketTimeoutException e) {
                return new Outcome(c, -1, false, s.getLocalPort());
            } catch (IOException reset) {
                return new Outcome(c, (System.nanoTime() - reference) / 1e6, false, s.getLocalPort());
            }
        }
    }

    /** Milliseconds to a tenth, as the report shows them. */
    private static double tenth(double millis) {
        return Math.round(millis * 10) / 10.0;
    }

    /** An address and port as one key, the address in one canonical form (IPv6 literals are written many ways). */
    private static String key(String address, int port) {
        try {
            return InetAddress.getByName(address).getHostAddress() + "|" + port;
        } catch (IOException e) {
            return address + "|" + port;
        }
    }
}
