package io.junction.agent.config;

import io.junction.core.model.HealthCheck;
import io.junction.core.model.HealthSettings;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.OutlierDetection;
import io.junction.core.model.Protocol;
import io.junction.core.model.RetryBudget;
import io.junction.core.model.ServiceKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The health keys: each one bound, layered over {@code defaults} field by field, and each rejection worded exactly. */
class HealthConfigTest {

    private final ConfigLoader loader = new ConfigLoader();

    /** A tcp service on lines 2-3 (UDP when {@code udp}); {@code extra} lines start at line 4. */
    private static String service(boolean udp, String extra) {
        return "services:\n  - name: a\n    listen: 127.0.0.1:10080\n" + (udp ? "    protocol: udp\n" : "")
                + extra.indent(4);
    }

    private static String service(String extra) {
        return service(false, extra);
    }

    private HealthSettings healthOf(String yaml) {
        AgentConfig config = loader.parse(yaml, "h.yaml");
        return config.spec(config.services().keySet().iterator().next()).health();
    }

    @Test
    void withoutHealthKeysTheBuiltInDefaultsApply() {
        assertThat(healthOf(service(""))).isEqualTo(HealthSettings.DEFAULTS);
    }

    @Test
    void everyHealthKeyIsRead() {
        HealthSettings health = healthOf(service("""
                healthCheck:
                  type: http
                  path: /healthz?full=1
                  expectStatus: 200-299
                  host: example.local
                  port: 8081
                  interval: 5s
                  timeout: 500ms
                  healthyThreshold: 4
                  unhealthyThreshold: 6
                  jitter: 25%
                outlierDetection:
                  consecutiveFailures: 7
                  consecutiveUnreachable: 2
                  ejectionTime: 1m
                  halfOpenConnections: 5
                panicThreshold: 30%
                slowStart: 45s
                maxConnectionsPerEndpoint: 1000
                retryBudget:
                  percent: 10%
                  minConcurrent: 4
                """));

        assertThat(health).isEqualTo(new HealthSettings(
                new HealthCheck(HealthCheck.Type.HTTP, "/healthz?full=1", 200, 299, "example.local", 8081,
                        Duration.ofSeconds(5), Duration.ofMillis(500), 4, 6, 25),
                new OutlierDetection(7, 2, Duration.ofMinutes(1), 5), 30, Duration.ofSeconds(45), 1000,
                new RetryBudget(10, 4)));
    }

    @Test
    void percentagesAcceptABareIntegerAndASingleStatus() {
        HealthSettings health = healthOf(service("""
                healthCheck: {type: HTTP, expectStatus: 204, jitter: 0}
                panicThreshold: 0
                retryBudget: {percent: 100}
                slowStart: 0s
                """));

        assertThat(health.check().type()).isEqualTo(HealthCheck.Type.HTTP);
        assertThat(health.check().expectStatusMin()).isEqualTo(204);
        assertThat(health.check().expectStatusMax()).isEqualTo(204);
        assertThat(health.check().jitterPercent()).isZero();
        assertThat(health.panicThreshold()).as("0% turns panic off").isZero();
        assertThat(health.retryBudget()).isEqualTo(new RetryBudget(100, 3));
        assertThat(health.slowStart()).isZero();
    }

    @Test
    void aServiceReadsItsHealthKeysOverTheDefaultsFieldByField() {
        String yaml = """
                defaults:
                  healthCheck: {type: tcp, interval: 10s, timeout: 3s, unhealthyThreshold: 5}
                  outlierDetection: {consecutiveFailures: 9}
                  retryBudget: {minConcurrent: 8}
                  slowStart: 20s
                services:
                  - name: silent
                    listen: 127.0.0.1:1000
                  - name: web
                    listen: 127.0.0.1:1001
                    healthCheck: {type: http}
                    outlierDetection: {ejectionTime: 10s}
                    retryBudget: {percent: 50%}
                    panicThreshold: 0%
                  - name: dns
                    protocol: udp
                    listen: 127.0.0.1:1002
                    healthCheck: {port: 8053, timeout: 1s}
                """;
        AgentConfig config = loader.parse(yaml, "layers.yaml");
        HealthCheck defaultsCheck = HealthCheck.tcp().withInterval(Duration.ofSeconds(10))
                .withTimeout(Duration.ofSeconds(3)).withThresholds(2, 5);

        HealthSettings silent = config.spec(ServiceKey.of("silent", Protocol.TCP)).health();
        assertThat(silent).isEqualTo(HealthSettings.DEFAULTS.withCheck(defaultsCheck)
                .withOutlier(OutlierDetection.DEFAULTS.withConsecutiveFailures(9))
                .withRetryBudget(new RetryBudget(20, 8)).withSlowStart(Duration.ofSeconds(20)));

        HealthSettings web = config.spec(ServiceKey.of("web", Protocol.TCP)).health();
        assertThat(web.check()).as("type from the entry, interval and the rest from defaults.healthCheck")
                .isEqualTo(defaultsCheck.withType(HealthCheck.Type.HTTP));
        assertThat(web.outlier()).isEqualTo(new OutlierDetection(9, 1, Duration.ofSeconds(10), 1));
        assertThat(web.retryBudget()).isEqualTo(new RetryBudget(50, 8));
        assertThat(web.panicThreshold()).isZero();
        assertThat(web.slowStart()).as("keys the entry leaves out come from defaults")
                .isEqualTo(Duration.ofSeconds(20));

        HealthSettings dns = config.spec(ServiceKey.of("dns", Protocol.UDP)).health();
        assertThat(dns.check()).isEqualTo(defaultsCheck.withPort(8053).withTimeout(Duration.ofSeconds(1)));
    }

    @Test
    void outlierDetectionOffTurnsBothThresholdsOffInEverySpelling() {
        for (String off : List.of("off", "OFF", "\"off\"", "false")) {
            OutlierDetection outlier = healthOf(service("""
                    outlierDetection: {ejectionTime: 5s}
                    """).replace("{ejectionTime: 5s}", off)).outlier();

            assertThat(outlier).as(off).isEqualTo(OutlierDetection.OFF);
        }
        String yaml = """
                defaults:
                  outlierDetection: {ejectionTime: 5s, halfOpenConnections: 1}
                services:
                  - name: a
                    listen: 127.0.0.1:1000
                    outlierDetection: off
                """;
        assertThat(healthOf(yaml).outlier()).as("off keeps the rest of the layer below")
                .isEqualTo(new OutlierDetection(0, 0, Duration.ofSeconds(5), 1));
    }

    @Test
    void aUdpServiceMayProbeATcpHealthPort() {
        HealthSettings health = healthOf(service(true, "healthCheck: {type: http, port: 8080, path: /ready}"));

        assertThat(health.check()).isEqualTo(HealthCheck.http("/ready").withPort(8080));
        assertThat(healthOf(service(true, "healthCheck: {type: none}")).check()).isEqualTo(HealthCheck.NONE);
    }

    /** The configuration reference's Health block is a valid {@code defaults} section, and its defaults are. */
    @Test
    void theDocumentedHealthExampleIsValidAndShowsTheDefaults() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "configuration.md"));
        int section = doc.indexOf("## Health\n");
        int start = doc.indexOf("```yaml\n", section) + "```yaml\n".length();
        String yaml = doc.substring(start, doc.indexOf("```", start)) + "services: []\n";

        HealthSettings health = loader.parse(yaml, "configuration.md").policy().defaults().health();

        assertThat(section).isPositive();
        assertThat(health).as("all defaults but type, host and port").isEqualTo(HealthSettings.DEFAULTS
                .withCheck(HealthCheck.http("/healthz").withHost("example.local").withPort(8081)));
    }

    @Test
    void theNewLbPoliciesAreAccepted() {
        AgentConfig config = loader.parse(service("lb: maglev") + """
                  - name: b
                    listen: 127.0.0.1:10081
                    lb: peak-ewma
                """, "lb.yaml");

        assertThat(config.spec(ServiceKey.of("a", Protocol.TCP)).lb()).isEqualTo(LbPolicy.MAGLEV);
        assertThat(config.spec(ServiceKey.of("b", Protocol.TCP)).lb()).isEqualTo(LbPolicy.PEAK_EWMA);
    }

    @Test
    void theDefaultsSectionTakesEveryHealthKey() {
        String yaml = """
                defaults:
                  healthCheck: {type: http, path: /h, expectStatus: 200, host: h.local, port: 1, interval: 2s,
                                timeout: 2s, healthyThreshold: 1, unhealthyThreshold: 1, jitter: 50%}
                  outlierDetection: {consecutiveFailures: 0, consecutiveUnreachable: 0, ejectionTime: 1s,
                                     halfOpenConnections: 1}
                  panicThreshold: 100%
                  slowStart: 1h
                  maxConnectionsPerEndpoint: 0
                  retryBudget: {percent: 0%, minConcurrent: 0}
                services: []
                """;
        AgentConfig config = loader.parse(yaml, "d.yaml");

        assertThat(config.policy().defaults().health()).isEqualTo(new HealthSettings(
                new HealthCheck(HealthCheck.Type.HTTP, "/h", 200, 200, "h.local", 1, Duration.ofSeconds(2),
                        Duration.ofSeconds(2), 1, 1, 50),
                new OutlierDetection(0, 0, Duration.ofSeconds(1), 1), 100, Duration.ofHours(1), 0,
                new RetryBudget(0, 0)));
    }

    /** A broken file and its whole error message: one line, {@code file:line: path: reason}. */
    record Case(String name, String yaml, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> rejections() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("unknown healthCheck key", service("healthCheck: {type: tcp, intervall: 2s}"),
                "bad.yaml:4: services[0].healthCheck.intervall: unknown key (did you mean 'interval'?)"));
        c.add(new Case("unknown outlierDetection key", service("outlierDetection:\n  ejectionTim: 10s"),
                "bad.yaml:5: services[0].outlierDetection.ejectionTim: unknown key (did you mean 'ejectionTime'?)"));
        c.add(new Case("unknown retryBudget key", service("retryBudget: {percentage: 20%}"),
                "bad.yaml:4: services[0].retryBudget.percentage: unknown key "
                        + "(expected one of: percent, minConcurrent)"));
        c.add(new Case("unknown key in defaults.healthCheck", "defaults:\n  healthCheck: {tpye: tcp}\nservices: []\n",
                "bad.yaml:2: defaults.healthCheck.tpye: unknown key (did you mean 'type'?)"));
        c.add(new Case("bad check type", service("healthCheck: {type: icmp}"),
                "bad.yaml:4: services[0].healthCheck.type: \"icmp\" is not a valid check type "
                        + "(expected one of: tcp, http, none)"));
        c.add(new Case("path on a tcp check", service("healthCheck:\n  type: tcp\n  path: /healthz"),
                "bad.yaml:6: services[0].healthCheck.path: applies only to http checks (this check's type is tcp)"));
        c.add(new Case("host without a type", service("healthCheck:\n  host: example.local"),
                "bad.yaml:5: services[0].healthCheck.host: applies only to http checks (this check's type is none)"));
        c.add(new Case("expectStatus on a tcp check from defaults",
                "defaults:\n  healthCheck: {type: tcp}\n" + service("healthCheck: {expectStatus: 200}"),
                "bad.yaml:6: services[0].healthCheck.expectStatus: applies only to http checks "
                        + "(this check's type is tcp)"));
        c.add(new Case("path without a slash", service("healthCheck: {type: http, path: healthz}"),
                "bad.yaml:4: services[0].healthCheck.path: \"healthz\" is not a valid path (expected '/' then "
                        + "visible ASCII characters, no spaces, e.g. /healthz)"));
        c.add(new Case("path with a space", service("healthCheck: {type: http, path: \"/a b\"}"),
                "bad.yaml:4: services[0].healthCheck.path: \"/a b\" is not a valid path (expected '/' then "
                        + "visible ASCII characters, no spaces, e.g. /healthz)"));
        c.add(new Case("bad host", service("healthCheck: {type: http, host: \"a b\"}"),
                "bad.yaml:4: services[0].healthCheck.host: \"a b\" is not a valid host (expected a host name or "
                        + "address, optionally with :port)"));
        c.add(new Case("expectStatus lo > hi", service("healthCheck: {type: http, expectStatus: 399-200}"),
                "bad.yaml:4: services[0].healthCheck.expectStatus: \"399-200\" is an empty range "
                        + "(expected lo-hi with lo <= hi)"));
        c.add(new Case("expectStatus out of range", service("healthCheck: {type: http, expectStatus: 200-600}"),
                "bad.yaml:4: services[0].healthCheck.expectStatus: \"200-600\" is out of range (expected: 100..599)"));
        c.add(new Case("single expectStatus out of range", service("healthCheck: {type: http, expectStatus: 99}"),
                "bad.yaml:4: services[0].healthCheck.expectStatus: 99 is out of range (expected: 100..599)"));
        c.add(new Case("expectStatus not a status", service("healthCheck: {type: http, expectStatus: 2xx}"),
                "bad.yaml:4: services[0].healthCheck.expectStatus: \"2xx\" is not a valid status or range "
                        + "(expected a status such as 200 or a range such as 200-399)"));
        c.add(new Case("timeout above interval", service("healthCheck: {type: tcp, interval: 2s, timeout: 3s}"),
                "bad.yaml:4: services[0].healthCheck.timeout: 3s must be <= interval (2s): a probe must give up "
                        + "before the next one is due"));
        c.add(new Case("interval below the inherited timeout", service("healthCheck:\n  type: tcp\n  interval: 500ms"),
                "bad.yaml:6: services[0].healthCheck.interval: 500ms must be >= timeout (1s): a probe must give up "
                        + "before the next one is due"));
        c.add(new Case("zero interval", service("healthCheck: {type: tcp, interval: 0s}"),
                "bad.yaml:4: services[0].healthCheck.interval: \"0s\" is not allowed here (expected: > 0)"));
        c.add(new Case("port out of range", service("healthCheck: {type: tcp, port: 70000}"),
                "bad.yaml:4: services[0].healthCheck.port: 70000 is out of range (expected: 0..65535)"));
        c.add(new Case("healthy threshold 0", service("healthCheck: {type: tcp, healthyThreshold: 0}"),
                "bad.yaml:4: services[0].healthCheck.healthyThreshold: 0 is out of range (expected: 1..100)"));
        c.add(new Case("unhealthy threshold 101", service("healthCheck: {type: tcp, unhealthyThreshold: 101}"),
                "bad.yaml:4: services[0].healthCheck.unhealthyThreshold: 101 is out of range (expected: 1..100)"));
        c.add(new Case("jitter above 50%", service("healthCheck: {type: tcp, jitter: 60%}"),
                "bad.yaml:4: services[0].healthCheck.jitter: \"60%\" is out of range (expected: 0%..50%)"));
        c.add(new Case("jitter as a fraction", service("healthCheck: {type: tcp, jitter: 0.1}"),
                "bad.yaml:4: services[0].healthCheck.jitter: expected a percentage such as 20%, got 0.1"));
        c.add(new Case("healthCheck not a mapping", service("healthCheck: tcp"),
                "bad.yaml:4: services[0].healthCheck: expected a mapping (key: value lines), got \"tcp\""));
        c.add(new Case("udp check without a port", service(true, "healthCheck: {type: tcp}"),
                "bad.yaml:5: services[0].healthCheck.port: missing (a udp service's check needs a TCP port to "
                        + "probe)"));
        c.add(new Case("udp service inheriting a check without a port",
                "defaults:\n  healthCheck: {type: http}\n" + service(true, ""),
                "bad.yaml:4: services[0].healthCheck.port: missing (a udp service's check needs a TCP port to "
                        + "probe; its type http comes from defaults.healthCheck: set port, or type: none)"));
        c.add(new Case("outlierDetection on", service("outlierDetection: true"),
                "bad.yaml:4: services[0].outlierDetection: expected a mapping (key: value lines) or off, got true"));
        c.add(new Case("negative consecutive failures", service("outlierDetection: {consecutiveFailures: -1}"),
                "bad.yaml:4: services[0].outlierDetection.consecutiveFailures: -1 is out of range "
                        + "(expected: 0..1000)"));
        c.add(new Case("zero ejection time", service("outlierDetection: {ejectionTime: 0}"),
                "bad.yaml:4: services[0].outlierDetection.ejectionTime: 0 is not allowed here (expected: > 0)"));
        c.add(new Case("zero half-open connections", service("outlierDetection: {halfOpenConnections: 0}"),
                "bad.yaml:4: services[0].outlierDetection.halfOpenConnections: 0 is out of range "
                        + "(expected: 1..1000)"));
        c.add(new Case("panic threshold above 100%", service("panicThreshold: 101%"),
                "bad.yaml:4: services[0].panicThreshold: \"101%\" is out of range (expected: 0%..100%)"));
        c.add(new Case("panic threshold in words", service("panicThreshold: half"),
                "bad.yaml:4: services[0].panicThreshold: expected a percentage such as 20%, got \"half\""));
        c.add(new Case("panic threshold with a decimal", service("panicThreshold: 50.5%"),
                "bad.yaml:4: services[0].panicThreshold: expected a percentage such as 20%, got \"50.5%\""));
        c.add(new Case("slow start above 1h", service("slowStart: 2h"),
                "bad.yaml:4: services[0].slowStart: \"2h\" is too long (expected: <= 1h)"));
        c.add(new Case("negative max connections per endpoint", service("maxConnectionsPerEndpoint: -1"),
                "bad.yaml:4: services[0].maxConnectionsPerEndpoint: -1 is out of range (expected: 0..10000000)"));
        c.add(new Case("retry budget percent without a number", service("retryBudget: {percent: \"%\"}"),
                "bad.yaml:4: services[0].retryBudget.percent: expected a percentage such as 20%, got \"%\""));
        c.add(new Case("retryBudget not a mapping", service("retryBudget: 20%"),
                "bad.yaml:4: services[0].retryBudget: expected a mapping (key: value lines), got \"20%\""));
        c.add(new Case("bad value in defaults", "defaults:\n  slowStart: 30\nservices: []\n",
                "bad.yaml:2: defaults.slowStart: 30 needs a unit (e.g. 30s or 30ms)"));
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void rejected(Case c) {
        assertThatThrownBy(() -> loader.parse(c.yaml(), "bad.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(c.message());
    }

    @Test
    void everyProblemOfOneEntryIsReportedInOnePass() {
        String yaml = service("""
                healthCheck: {type: tcp, path: /x, jitter: 90%}
                outlierDetection: {ejectionTime: 5}
                panicThreshold: 200
                """);

        assertThatThrownBy(() -> loader.parse(yaml, "bad.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors())
                        .extracting(ConfigError::path).containsExactly("services[0].healthCheck.jitter",
                                "services[0].healthCheck.path", "services[0].outlierDetection.ejectionTime",
                                "services[0].panicThreshold"));
    }
}
