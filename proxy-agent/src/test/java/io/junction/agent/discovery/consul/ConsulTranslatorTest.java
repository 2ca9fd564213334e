package io.junction.agent.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.model.Endpoint;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The pure parts: Consul JSON to endpoints, the blocking-query index rules, the retry delays. */
class ConsulTranslatorTest {

    /** An entry of {@code /v1/health/service/redis} as Consul's API documentation shows it, trimmed of indexes. */
    private static String entry(String id, String serviceAddress, int port, String weights, String... statuses) {
        StringBuilder checks = new StringBuilder();
        for (int i = 0; i < statuses.length; i++) {
            checks.append(i == 0 ? "" : ",").append("""
                    {"Node":"foobar","CheckID":"check-%d","Name":"check %d","Status":"%s","Notes":"","Output":"",
                     "ServiceID":"%s","ServiceName":"redis","ServiceTags":["primary"],"Namespace":"default"}
                    """.formatted(i, i, statuses[i], i == 0 ? "" : id));
        }
        return """
                {"Node":{"ID":"40e4a748-2192-161a-0510-9bf59fe950b5","Node":"foobar","Address":"10.1.10.12",
                  "Datacenter":"dc1","TaggedAddresses":{"lan":"10.1.10.12","wan":"10.1.10.12"},
                  "Meta":{"instance_type":"t2.medium"}},
                 "Service":{"ID":"%s","Service":"redis","Tags":["primary"],"Address":"%s",
                  "TaggedAddresses":{"lan":{"address":"127.0.0.1","port":8000}},"Meta":null,"Port":%d%s,
                  "Namespace":"default"},
                 "Checks":[%s]}
                """.formatted(id, serviceAddress, port, weights == null ? "" : ",\"Weights\":" + weights, checks);
    }

    private static ConsulTranslator.Instances read(boolean onlyPassing, String... entries) {
        return ConsulTranslator.instances(("[" + String.join(",", entries) + "]").getBytes(StandardCharsets.UTF_8),
                onlyPassing);
    }

    private static List<String> show(ConsulTranslator.Instances i) {
        return i.endpoints().stream().map(e -> e.hostPort() + " w" + e.weight() + (e.ready() ? "" : " not-ready")
                + " " + e.node()).toList();
    }

    @Test
    void theServiceAddressWinsTheNodeAddressFillsInAndPassingWeightIsTheWeight() {
        ConsulTranslator.Instances i = read(true,
                entry("redis-1", "10.1.10.20", 8000, "{\"Passing\":10,\"Warning\":1}", "passing", "passing"),
                entry("redis-2", "", 8001, null, "passing"),
                entry("redis-3", "fd00::1", 8002, "{\"Passing\":5000,\"Warning\":1}", "passing"));
        assertThat(show(i)).containsExactly("10.1.10.12:8001 w1 foobar", "10.1.10.20:8000 w10 foobar",
                "[fd00:0:0:0:0:0:0:1]:8002 w1000 foobar");
        assertThat(i.skipped()).isEmpty();
    }

    @Test
    void checksDecideReadinessAsPassingDoes() {
        String warning = entry("a", "10.0.0.1", 1, "{\"Passing\":3,\"Warning\":2}", "passing", "warning");
        String warningOut = entry("b", "10.0.0.2", 1, "{\"Passing\":3,\"Warning\":0}", "warning");
        String critical = entry("c", "10.0.0.3", 1, null, "warning", "critical");
        String maintenance = entry("d", "10.0.0.4", 1, null, "passing", "maintenance");
        assertThat(show(read(false, warning, warningOut, critical, maintenance))).containsExactly(
                "10.0.0.1:1 w2 foobar", "10.0.0.2:1 w1 not-ready foobar", "10.0.0.3:1 w1 not-ready foobar",
                "10.0.0.4:1 w1 not-ready foobar");
        // With onlyPassing a warning is not passing (the registry would not even return it).
        assertThat(show(read(true, warning))).containsExactly("10.0.0.1:1 w3 not-ready foobar");
    }

    @Test
    void instancesWithoutAnIpOrAPortAreLeftOutWithAReasonAndOneAddressIsOneEndpoint() {
        ConsulTranslator.Instances i = read(true,
                entry("b", "10.0.0.1", 80, "{\"Passing\":2,\"Warning\":1}", "passing"),
                entry("a", "10.0.0.1", 80, null, "passing"),
                entry("h", "redis.example", 80, null, "passing"),
                entry("p", "10.0.0.2", 0, null, "passing"));
        assertThat(show(i)).containsExactly("10.0.0.1:80 w1 foobar");
        assertThat(i.skipped()).containsExactly(
                "instance h: address 'redis.example' is not an IP address (host names are not resolved)",
                "instance p: port 0 is out of range (expected: 1..65535)");
    }

    @Test
    void theCatalogListsServiceNamesWithATagFilter() {
        byte[] body = """
                {"consul":[],"redis":[],"postgresql":["primary","secondary"]}
                """.getBytes(StandardCharsets.UTF_8);
        assertThat(ConsulTranslator.serviceNames(body, null)).containsExactly("consul", "postgresql", "redis");
        assertThat(ConsulTranslator.serviceNames(body, "primary")).containsExactly("postgresql");
    }

    @Test
    void answersOfAnotherShapeAreRejected() {
        assertThatThrownBy(() -> ConsulTranslator.serviceNames("[]".getBytes(StandardCharsets.UTF_8), null))
                .hasMessageContaining("expected a JSON object");
        assertThatThrownBy(() -> ConsulTranslator.instances("{}".getBytes(StandardCharsets.UTF_8), true))
                .hasMessageContaining("expected a JSON array");
        assertThatThrownBy(() -> ConsulTranslator.instances("[{\"Node\":{}}]".getBytes(StandardCharsets.UTF_8),
                true)).hasMessageContaining("no Service object");
        assertThatThrownBy(() -> ConsulTranslator.instances("[{".getBytes(StandardCharsets.UTF_8), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
    }

    @Test
    void theIndexFollowsConsulsRules() {
        assertThat(BlockingQuery.nextIndex(0, 42)).isEqualTo(42);
        assertThat(BlockingQuery.nextIndex(42, 42)).isEqualTo(42);
        assertThat(BlockingQuery.nextIndex(42, 50)).isEqualTo(50);
        // Backwards: start over with a fresh read.
        assertThat(BlockingQuery.nextIndex(50, 7)).isZero();
        // 0 or less would make every query return at once: 1 instead.
        assertThat(BlockingQuery.nextIndex(0, 0)).isEqualTo(1);
        // No index header: nothing to block on.
        assertThat(BlockingQuery.nextIndex(42, -1)).isZero();
    }

    @Test
    void retriesBackOffWithJitterUpToFourSeconds() {
        Backoff b = new Backoff(new Random(7));
        for (int failures = 1; failures <= 40; failures++) {
            long ceiling = Math.min(250L << Math.min(failures - 1, 20), 4_000);
            Duration d = b.delay(failures);
            assertThat(d.toMillis()).isBetween(ceiling / 2, ceiling);
        }
        assertThat(b.delay(1).toMillis()).isBetween(125L, 250L);
        assertThat(b.delay(100)).isLessThanOrEqualTo(Backoff.CAP);
        // A registry back after a long outage is read again within 4 s (and no sooner than 2 s after the last try).
        assertThat(b.delay(30).toMillis()).isBetween(2_000L, 4_000L);
        // Two watches failing together do not retry together.
        assertThat(List.of(b.delay(10), b.delay(10), b.delay(10))).doesNotHaveDuplicates();
    }

    @Test
    void namesAndValuesAreEscapedAndWaitIsWrittenAsConsulParsesIt() {
        assertThat(ConsulClient.encode("web api/v1?x=1&é")).isEqualTo("web%20api%2Fv1%3Fx%3D1%26%C3%A9");
        assertThat(ConsulClient.formatWait(Duration.ofSeconds(55))).isEqualTo("55s");
        assertThat(ConsulClient.formatWait(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    @Test
    void endpointsAreNeverBuiltFromAnUnresolvedName() {
        assertThat(read(true, entry("a", "127.0.0.1", 80, null, "passing")).endpoints())
                .extracting(Endpoint::address).allMatch(a -> !a.isUnresolved());
    }
}
