package io.junction.reliability.scenarios;

import io.junction.reliability.frame.AgentConfig;
import io.junction.reliability.frame.AgentProcess;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.Ports;
import io.junction.reliability.frame.RegistryClient;
import io.junction.reliability.frame.ReportExtension;
import io.junction.reliability.frame.Scenario;
import io.junction.reliability.frame.ScenarioInfo;
import io.junction.reliability.frame.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 10: abuse of the registry API against an agent process: bodies over the limit, JSON nested 10,000 deep,
 * invalid UTF-8, the wrong content type, unknown fields, duplicate ids and keys, writes without the token, and a
 * request flood from several threads. Each request must get its 4xx (or, for what Consul itself accepts, a 200 that
 * changes nothing), the catalog and its {@code X-Consul-Index} must be the same before and after each, nothing may
 * answer 5xx, and the agent must stay ready. proxy-agent's RegistryBadRequestTest covers the field-by-field 400s
 * in-process; this is the measured, process-level row.
 */
@ExtendWith(ReportExtension.class)
class RegistryAbuseScenarioTest {
    private static final String TOKEN = "reliability-token";

    /** Requests in the flood (bounded in count and by a 20 s deadline) and the threads sending them. */
    record Params(int floodRequests, int floodThreads) {
        static Params of(Size size) {
            return size.pick(new Params(2000, 4), new Params(20000, 4));
        }
    }

    /** One abusive request: what it is, the statuses that are right for it, and its body and content type. */
    record Abuse(String name, Set<Integer> right, String path, byte[] body, String contentType, boolean withToken) {
    }

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "10", title = "Registry API abuse")
    void abusiveRequestsGetTheirStatusAndChangeNothing(Scenario scenario) throws Exception {
        Params p = Params.of(scenario.size());
        int admin = Ports.free();
        int registryPort = Ports.free();
        int listen = Ports.free();
        Path config = AgentConfig.write(dir.resolve("junction.yaml"), AgentConfig.head(admin) + """
                discovery:
                  registry:
                    listen: 127.0.0.1:%d
                    stateFile: %s
                    token: %s
                    allowLoopback: true
                    rateLimit: {requestsPerSecond: 50, burst: 100}
                services:
                  - name: web
                    listen: 127.0.0.1:%d
                """.formatted(registryPort, dir.resolve("registry.json"), TOKEN, listen));
        try (AgentProcess agent = AgentProcess.startReady(config, admin, dir.resolve("agent.log"))) {
            RegistryClient owner = new RegistryClient("127.0.0.1", registryPort, TOKEN);
            RegistryClient stranger = new RegistryClient("127.0.0.1", registryPort, null);
            HttpResponse<String> first = owner.register("web-1", "web", "127.0.0.1", 18080);
            if (first.statusCode() != 200) {
                throw new IllegalStateException("the good registration failed: " + first.statusCode() + " "
                        + first.body());
            }

            int rightStatus = 0;
            int changed = 0;
            int serverErrors = 0;
            List<String> seen = new ArrayList<>();
            List<Abuse> abuses = abuses();
            for (Abuse a : abuses) {
                String before = owner.state();
                RegistryClient client = a.withToken() ? owner : stranger;
                HttpResponse<String> r = client.put(a.path(), a.body(), a.contentType());
                String after = owner.state();
                boolean right = a.right().contains(r.statusCode());
                rightStatus += right ? 1 : 0;
                serverErrors += r.statusCode() >= 500 ? 1 : 0;
                boolean same = before.equals(after);
                changed += same ? 0 : 1;
                seen.add(a.name() + " -> " + r.statusCode() + (right ? "" : " (expected " + a.right() + ")")
                        + (same ? "" : " CHANGED THE CATALOG") + ": " + firstLine(r.body()));
            }
            scenario.note("answers: " + seen);

            // The flood: writes without the token, as fast as the threads can send them.
            String beforeFlood = owner.state();
            Map<Integer, Integer> floodCodes = new TreeMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(p.floodThreads());
            long floodStart = System.nanoTime();
            long deadline = floodStart + TimeUnit.SECONDS.toNanos(20);
            int sent = 0;
            try {
                List<Future<Map<Integer, Integer>>> parts = new ArrayList<>();
                for (int t = 0; t < p.floodThreads(); t++) {
                    int share = p.floodRequests() / p.floodThreads();
                    parts.add(pool.submit(() -> flood(registryPort, share, deadline)));
                }
                for (Future<Map<Integer, Integer>> f : parts) {
                    for (Map.Entry<Integer, Integer> e : f.get(60, TimeUnit.SECONDS).entrySet()) {
                        floodCodes.merge(e.getKey(), e.getValue(), Integer::sum);
                        sent += e.getValue();
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            double floodSeconds = (System.nanoTime() - floodStart) / 1e9;
            Thread.sleep(2500); // the limiter refills (burst / rate = 2 s) so the reads below are answered
            String afterFlood = owner.state();
            int floodServerErrors = floodCodes.entrySet().stream().filter(e -> e.getKey() >= 500 || e.getKey() < 0)
                    .mapToInt(Map.Entry::getValue).sum();
            int floodOther = floodCodes.entrySet().stream().filter(e -> e.getKey() != 403 && e.getKey() != 429)
                    .mapToInt(Map.Entry::getValue).sum();
            scenario.note(String.format(java.util.Locale.ROOT, "flood: %d requests in %.2f s (%.0f/s) from %d "
                    + "threads without the token, answers %s", sent, floodSeconds, sent / floodSeconds,
                    p.floodThreads(), floodCodes));
            boolean ready = agent.get("/readyz").statusCode() == 200;

            scenario.figure("abusive requests answered with the right status", rightStatus, "", Bound.EXACTLY,
                    abuses.size());
            scenario.figure("abusive requests that changed the catalog or its index", changed, "", Bound.EXACTLY, 0);
            scenario.figure("5xx answers", serverErrors, "", Bound.EXACTLY, 0);
            scenario.figure("flood requests answered 429", floodCodes.getOrDefault(429, 0), "", Bound.AT_LEAST,
                    sent / 2.0);
            scenario.figure("flood answers other than 403 or 429 (5xx, resets)", floodOther + floodServerErrors, "",
                    Bound.EXACTLY, 0);
            scenario.figure("catalog or index changed by the flood", beforeFlood.equals(afterFlood) ? 0 : 1, "",
                    Bound.EXACTLY, 0);
            scenario.figure("agent ready after the abuse", ready ? 1 : 0, "", Bound.EXACTLY, 1);
            scenario.assertPassed();
        }
    }

    /** {@code count} register requests without the token, until the deadline; status code counts (-1: I/O error). */
    private static Map<Integer, Integer> flood(int port, int count, long deadline) {
        RegistryClient c = new RegistryClient("127.0.0.1", port, null);
        Map<Integer, Integer> codes = new TreeMap<>();
        for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
            int code;
            try {
                code = c.register("flood-" + i, "web", "127.0.0.1", 18081).statusCode();
            } catch (IOException e) {
                code = -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            codes.merge(code, 1, Integer::sum);
        }
        return codes;
    }

    private static List<Abuse> abuses() {
        String register = "/v1/agent/service/register";
        String json = "application/json";
        Set<Integer> bad = Set.of(400);
        List<Abuse> a = new ArrayList<>();
        a.add(new Abuse("2 MiB body", Set.of(413), register, utf8("{\"Name\": \"web\", \"Port\": 80, \"Meta\": "
                + "{\"k\": \"" + "x".repeat(2 << 20) + "\"}}"), json, true));
        a.add(new Abuse("arrays nested 10,000 deep", bad, register, utf8("{\"Name\": \"web\", \"Port\": 80, "
                + "\"Tags\": " + "[".repeat(10_000) + "]".repeat(10_000) + "}"), json, true));
        a.add(new Abuse("objects nested 10,000 deep", bad, register, utf8("{\"Name\": \"web\", \"Port\": 80, "
                + "\"Meta\": " + "{\"a\": ".repeat(10_000) + "1" + "}".repeat(10_000) + "}"), json, true));
        ByteArrayOutputStream invalid = new ByteArrayOutputStream();
        invalid.writeBytes(utf8("{\"ID\": \"web-9\", \"Name\": \"web"));
        invalid.writeBytes(new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc3});
        invalid.writeBytes(utf8("\", \"Address\": \"127.0.0.1\", \"Port\": 80}"));
        a.add(new Abuse("invalid UTF-8 in a string", bad, register, invalid.toByteArray(), json, true));
        a.add(new Abuse("a lone surrogate escape in Name", bad, register, utf8("{\"ID\": \"web-9\", \"Name\": "
                + "\"web\\ud800\", \"Address\": \"127.0.0.1\", \"Port\": 80}"), json, true));
        a.add(new Abuse("XML body (Content-Type application/xml)", Set.of(400, 415), register,
                utf8("<service><Name>web</Name><Port>80</Port></service>"), "application/xml", true));
        a.add(new Abuse("form body (Content-Type application/x-www-form-urlencoded)", Set.of(400, 415), register,
                utf8("ID=web-9&Name=web&Address=127.0.0.1&Port=80"), "application/x-www-form-urlencoded", true));
        // Consul's Go decoder ignores unknown fields and a re-registration with the same definition is a no-op:
        // the right answer is 200 with nothing changed (index included).
        a.add(new Abuse("unknown fields on the same registration", Set.of(200), register, utf8("{\"ID\": \"web-1\", "
                + "\"Name\": \"web\", \"Address\": \"127.0.0.1\", \"Port\": 18080, \"Bogus\": {\"x\": [1, 2]}, "
                + "\"Connect\": null}"), json, true));
        a.add(new Abuse("duplicate ID (the same registration again)", Set.of(200), register, utf8("{\"ID\": "
                + "\"web-1\", \"Name\": \"web\", \"Address\": \"127.0.0.1\", \"Port\": 18080}"), json, true));
        a.add(new Abuse("duplicate check IDs in one body", bad, register, utf8("{\"ID\": \"web-1\", \"Name\": \"web\","
                + " \"Address\": \"127.0.0.1\", \"Port\": 18080, \"Checks\": [{\"CheckID\": \"c\", \"TTL\": \"10s\"},"
                + " {\"CheckID\": \"c\", \"TTL\": \"20s\"}]}"), json, true));
        // Two parsers may read a key named twice differently (Go's decoder, so Consul, takes the last value): refused.
        a.add(new Abuse("a key named twice (ID web-1, then ID web-2)", bad, register, utf8("{\"ID\": \"web-1\", "
                + "\"ID\": \"web-2\", \"Name\": \"web\", \"Address\": \"127.0.0.1\", \"Port\": 18080}"), json, true));
        a.add(new Abuse("register without the token", Set.of(403), register, utf8("{\"ID\": \"web-9\", \"Name\": "
                + "\"web\", \"Address\": \"127.0.0.1\", \"Port\": 80}"), json, false));
        a.add(new Abuse("deregister without the token", Set.of(403), "/v1/agent/service/deregister/web-1",
                new byte[0], json, false));
        a.add(new Abuse("fail a check without the token", Set.of(403, 404), "/v1/agent/check/fail/service:web-1",
                new byte[0], json, false));
        return a;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String firstLine(String body) {
        String line = body.lines().findFirst().orElse("");
        return line.length() > 120 ? line.substring(0, 120) + "..." : line;
    }
}
