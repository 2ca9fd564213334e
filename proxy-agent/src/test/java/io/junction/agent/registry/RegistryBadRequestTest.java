package io.junction.agent.registry;

import io.junction.agent.Agent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.junction.agent.registry.RegistryFixture.HTTP;
import static io.junction.agent.registry.RegistryFixture.get;
import static io.junction.agent.registry.RegistryFixture.put;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad requests over raw HTTP: each gets Consul's 4xx with a message naming the field and the reason, is counted by
 * reason, and changes nothing (the services, checks and index read the same afterwards).
 */
class RegistryBadRequestTest {
    private static final String TOKEN = "t0ken";
    private static final String GOOD = """
            {"ID": "web-1", "Name": "web", "Address": "127.0.0.1", "Port": 18080,
             "Check": {"TTL": "30s", "Status": "passing"}}""";

    private Agent agent;
    private int port;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.shutdown();
        }
    }

    private void start(String extra) throws Exception {
        port = RegistryFixture.freePort();
        agent = RegistryFixture.start(dir, RegistryFixture.config(RegistryFixture.freePort(), port, 0,
                dir.resolve("registry.json"), extra));
    }

    /** Everything a client can read, index included. */
    private String state() throws Exception {
        HttpResponse<String> services = get(port, "/v1/agent/services");
        HttpResponse<String> checks = get(port, "/v1/agent/checks");
        return services.headers().firstValue("X-Consul-Index").orElseThrow() + services.body() + checks.body();
    }

    private HttpResponse<String> register(String body, String... headers) throws Exception {
        return put(port, "/v1/agent/service/register", body, headers);
    }

    private double refused(String reason) {
        var c = agent.registry().find("junction.registry.requests.refused").tag("reason", reason).counter();
        return c == null ? -1 : c.count();
    }

    @Test
    void eachBadRequestGetsItsStatusAndChangesNothing() throws Exception {
        start("""
                token: %s
                allowedCidrs: [127.0.0.0/8, 10.0.0.0/8]
                """.formatted(TOKEN));
        String[] auth = {"X-Consul-Token", TOKEN};
        assertThat(register(GOOD, auth).statusCode()).isEqualTo(200);
        String before = state();
        assertThat(before).contains("web-1");

        // Malformed JSON, missing and ill-typed fields: 400 naming the field and the reason.
        assertBad(register("{\"Name\": ", auth), 400, "malformed JSON");
        assertBad(register("{\"ID\": \"a\", \"ID\": \"b\", \"Name\": \"web\", \"Address\": \"127.0.0.1\", \"Port\": 80}",
                auth), 400, "Duplicate");
        assertBad(register("", auth), 400, "empty body");
        assertBad(register("[1,2]", auth), 400, "body: expected a JSON object");
        assertBad(register("{\"Port\": 80}", auth), 400, "Name: missing");
        assertBad(register("{\"Name\": \"web\", \"Address\": \"127.0.0.1\"}", auth), 400, "Port: missing");
        assertBad(register("{\"Name\": \"web\", \"Port\": 70000}", auth), 400, "Port: must be 1..65535, got 70000");
        assertBad(register("{\"Name\": \"web\", \"Port\": \"80\"}", auth), 400, "Port: expected an integer, got a string");
        assertBad(register("{\"Name\": \"web\", \"Port\": 80, \"Tags\": \"a\"}", auth), 400,
                "Tags: expected a list of strings");
        assertBad(register("{\"Name\": \"web\", \"Port\": 80, \"Meta\": {\"k\": 1}}", auth), 400,
                "Meta.k: expected a string");
        assertBad(register("{\"Name\": \"we b\", \"Port\": 80}", auth), 400, "Name: 'we b' is not a service name");
        assertBad(register("{\"Name\": \"web\", \"Port\": 80, \"Check\": {\"TTL\": \"soon\"}}", auth), 400,
                "Check.TTL: 'soon' is not a duration");
        assertBad(register("{\"Name\": \"web\", \"Port\": 80, \"Checks\": [{\"TTL\": \"5s\", \"TCP\": \"127.0.0.1:1\"}]}",
                auth), 400, "Checks[0]: needs exactly one of TTL, TCP or HTTP, got 2");
        assertBad(register("{\"Name\": \"web\", \"Port\": 80, \"Check\": {\"Args\": [\"/bin/true\"], "
                + "\"Interval\": \"5s\"}}", auth), 400, "Check.Args: this kind of check is not supported");
        assertBad(register("{\"Name\": \"web\", \"Port\": 80, \"Check\": {\"HTTP\": \"https://127.0.0.1/\", "
                + "\"Interval\": \"5s\"}}", auth), 400, "https checks are not supported");
        assertBad(register("{\"Name\": \"web\", \"Port\": 80, \"Address\": \"db.example.com\"}", auth), 400,
                "Address: 'db.example.com' is not an IP address");
        assertThat(refused("invalid")).isEqualTo(16);

        // Addresses outside the policy: outside allowedCidrs, link-local, unspecified; a probe target too.
        assertBad(register("{\"Name\": \"web\", \"Port\": 80, \"Address\": \"192.168.1.5\"}", auth), 400,
                "Address: 192.168.1.5 is outside allowedCidrs");
        assertBad(register("{\"Name\": \"web\", \"Port\": 80, \"Address\": \"169.254.1.1\"}", auth), 400,
                "Address: 169.254.1.1 is a link-local address, refused (allowLinkLocal is false)");
        assertBad(register("{\"Name\": \"web\", \"Port\": 80, \"Address\": \"0.0.0.0\"}", auth), 400,
                "is the unspecified address");
        assertBad(register("{\"Name\": \"web\", \"Port\": 80, \"Address\": \"10.0.0.5\", \"Check\": "
                + "{\"TCP\": \"192.168.1.5:80\", \"Interval\": \"5s\"}}", auth), 400,
                "Check.TCP: 192.168.1.5 is outside allowedCidrs");
        assertThat(refused("address_refused")).isEqualTo(4);

        // Unknown ids: 404.
        assertBad(put(port, "/v1/agent/service/deregister/nope", "", auth), 404, "Unknown service ID \"nope\"");
        assertBad(put(port, "/v1/agent/check/pass/service:nope", "", auth), 404, "Unknown check ID");
        assertBad(get(port, "/v1/agent/service/nope"), 404, "unknown service ID: nope");
        assertBad(get(port, "/v1/no/such/path"), 404, "404 page not found");
        assertThat(refused("not_found")).isEqualTo(4);

        // Wrong method: 405 with Allow.
        HttpResponse<String> wrong = get(port, "/v1/agent/service/register");
        assertThat(wrong.statusCode()).isEqualTo(405);
        assertThat(wrong.headers().firstValue("Allow")).hasValue("PUT");

        // Token: missing, wrong -> 403 "Permission denied"; Bearer and ?token= are accepted forms.
        assertBad(register(GOOD.replace("web-1", "web-2")), 403, "Permission denied");
        assertBad(register(GOOD.replace("web-1", "web-2"), "X-Consul-Token", "wrong"), 403, "Permission denied");
        assertBad(register(GOOD.replace("web-1", "web-2"), "Authorization", "Bearer wrong"), 403,
                "Permission denied");
        assertBad(put(port, "/v1/agent/check/fail/service:web-1", ""), 403, "Permission denied");
        assertBad(put(port, "/v1/agent/service/deregister/web-1?token=wrong", ""), 403, "Permission denied");
        assertThat(refused("unauthorized")).isEqualTo(5);

        // A 2 MiB body: 413 before it is read, with a length or chunked.
        String huge = "{\"Name\": \"web\", \"Port\": 80, \"Meta\": {\"k\": \"" + "x".repeat(2 << 20) + "\"}}";
        assertBad(register(huge, auth), 413, "too large");
        HttpResponse<String> chunked = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/agent/service/register"))
                .timeout(Duration.ofSeconds(10)).header("X-Consul-Token", TOKEN)
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge.getBytes())))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(refused("too_large")).isEqualTo(2);

        assertThat(state()).isEqualTo(before);

        // The accepted token forms do write.
        assertThat(register(GOOD.replace("web-1", "web-2"), "Authorization", "Bearer " + TOKEN).statusCode())
                .isEqualTo(200);
        assertThat(put(port, "/v1/agent/service/deregister/web-2?token=" + TOKEN, "").statusCode()).isEqualTo(200);
        assertThat(get(port, "/v1/agent/services").body()).contains("web-1").doesNotContain("web-2");
    }

    @Test
    void aFloodFromOneAddressIsRateLimited() throws Exception {
        start("rateLimit: {requestsPerSecond: 2, burst: 5}\n");
        String before = state(); // two requests of the burst
        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            codes.add(register("{\"ID\": \"f" + i + "\", \"Name\": \"web\", \"Address\": \"127.0.0.1\", "
                    + "\"Port\": 80}").statusCode());
        }
        assertThat(codes).contains(429);
        assertThat(codes.stream().filter(c -> c == 200).count()).isLessThanOrEqualTo(5);
        assertThat(refused("rate_limited")).isEqualTo(codes.stream().filter(c -> c == 429).count());
        HttpResponse<String> limited = register("{}");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.body()).contains("Too many requests");
        assertThat(before).contains("{}");
    }

    @Test
    void aRefusedUploadIsAnsweredThenDrainedNotReset() throws Exception {
        start("");
        int length = 2 << 20;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(("PUT /v1/agent/service/register HTTP/1.1\r\nHost: registry\r\nContent-Length: " + length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] part = new byte[64 * 1024];
            out.write(part);
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 413").containsIgnoringCase("connection: close");

            // A client still sending when the answer comes must be able to finish: the server goes on reading
            // (a close with the body unread would reset the connection and fail these writes).
            Thread.sleep(200);
            for (int sent = part.length; sent < length; sent += part.length) {
                out.write(part);
            }
            out.flush();
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            in.transferTo(rest); // ends at the server's FIN; a reset would throw
            assertThat(rest.toString(StandardCharsets.UTF_8)).contains("too large");
        }
        assertThat(refused("too_large")).isEqualTo(1);
    }

    /** The status line and headers, up to and including the blank line. */
    private static String readHead(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("the connection ended inside the response head: " + head).isNotNegative();
            head.append((char) b);
        }
        return head.toString();
    }

    private static void assertBad(HttpResponse<String> r, int status, String text) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.body()).contains(text);
    }
}
