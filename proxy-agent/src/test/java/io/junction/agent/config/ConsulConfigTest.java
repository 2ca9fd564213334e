package io.junction.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.agent.discovery.consul.ConsulSettings;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The {@code discovery.consul} block: every key, its default, its checks. */
class ConsulConfigTest {

    private static AgentConfig parse(String yaml) {
        return new ConfigLoader().parse(yaml.getBytes(StandardCharsets.UTF_8), "c.yaml");
    }

    private static ConsulSettings settings(String block) {
        AgentConfig c = parse("discovery:\n  consul:\n" + block.indent(4) + "services: []\n");
        assertThat(c.discovery()).singleElement().extracting(DiscoveryBlock::name).isEqualTo("consul");
        return ((ConsulBlockBinder.ConsulBlock) c.discovery().get(0)).settings();
    }

    private static void rejected(String block, String... messages) {
        var thrown = assertThatThrownBy(() -> parse("discovery:\n  consul:\n" + block.indent(4) + "services: []\n"))
                .isInstanceOf(ConfigException.class);
        for (String m : messages) {
            thrown.hasMessageContaining(m);
        }
    }

    @Test
    void anAddressAloneWatchesTheWholeCatalogWithTheDefaults() {
        ConsulSettings s = settings("address: 127.0.0.1:8500");
        assertThat(s).isEqualTo(ConsulSettings.of(URI.create("http://127.0.0.1:8500")));
        assertThat(s.onlyPassing()).isTrue();
        assertThat(s.waitTime()).isEqualTo(Duration.ofSeconds(55));
        assertThat(s.watchesCatalog()).isTrue();
        assertThat(s.keyOf("web")).isEqualTo(ServiceKey.of("web", Protocol.TCP));
    }

    @Test
    void everyKey() {
        ConsulSettings s = settings("""
                address: https://consul.example:8501/
                token: 0b5c6d3e-8a2f-4c1e-9d7a-2f3e4d5c6b7a
                services: [web, Billing_API]
                datacenter: eu-west_1
                tag: v2
                onlyPassing: false
                wait: 30s
                rename: {Billing_API: billing}
                """);
        assertThat(s).isEqualTo(new ConsulSettings(URI.create("https://consul.example:8501"),
                "0b5c6d3e-8a2f-4c1e-9d7a-2f3e4d5c6b7a", List.of("web", "Billing_API"), "eu-west_1", "v2", false,
                Duration.ofSeconds(30), Map.of("Billing_API", "billing")));
        assertThat(s.keyOf("Billing_API")).isEqualTo(ServiceKey.of("billing", Protocol.TCP));
        assertThat(s.toString()).doesNotContain("0b5c6d3e").contains("token=set");
        assertThat(settings("address: http://[::1]:8500").address()).isEqualTo(URI.create("http://[::1]:8500"));
    }

    @Test
    void theAddressIsRequiredAndMustBeAHostAndPort() {
        rejected("token: x", "c.yaml:2: discovery.consul.address: missing (required");
        rejected("address: 127.0.0.1", "discovery.consul.address: \"127.0.0.1\" is not a valid registry address: "
                + "the port is missing");
        rejected("address: ftp://127.0.0.1:21", "the scheme must be http or https");
        rejected("address: http://127.0.0.1:8500/v1", "no path, query or user");
        rejected("address: http://user@127.0.0.1:8500", "no path, query or user");
        rejected("address: 127.0.0.1:99999", "port 99999 is out of range");
        rejected("address: bad_host!:8500", "is neither an IP address nor a host name");
        rejected("address: [a, b]", "discovery.consul.address: expected a string");
        assertThatThrownBy(() -> parse("discovery:\n  consul:\nservices: []\n"))
                .hasMessageContaining("discovery.consul: expected a mapping");
    }

    @Test
    void badValuesAndUnknownKeysAreRejectedWithTheirPathsAndLines() {
        rejected("""
                address: 127.0.0.1:8500
                tokn: x
                token: has space
                services: []
                datacenter: eu/west
                tag: ''
                onlyPassing: maybe
                wait: 30
                """,
                "c.yaml:4: discovery.consul.tokn: unknown key (did you mean 'token'?)",
                "c.yaml:5: discovery.consul.token: \"has space\" is not an ACL token",
                "c.yaml:6: discovery.consul.services: empty list",
                "c.yaml:7: discovery.consul.datacenter: \"eu/west\" is not a datacenter name",
                "c.yaml:8: discovery.consul.tag: \"\" is not a valid tag",
                "c.yaml:9: discovery.consul.onlyPassing: expected true or false",
                "c.yaml:10: discovery.consul.wait: 30 needs a unit");
        rejected("address: 127.0.0.1:8500\nwait: 500ms", "discovery.consul.wait: \"500ms\" is too short");
        rejected("address: 127.0.0.1:8500\nwait: 11m", "discovery.consul.wait: \"11m\" is too long (expected: <= 10m)");
        rejected("address: 127.0.0.1:8500\nservices: [web, web]", "discovery.consul.services[1]: \"web\" is listed twice");
        rejected("address: 127.0.0.1:8500\nservices: web", "discovery.consul.services: expected a list");
        rejected("address: 127.0.0.1:8500\nservices: [{a: b}]", "discovery.consul.services[0]: expected a string");
    }

    @Test
    void renameMapsRegistryNamesToValidServiceNames() {
        assertThat(settings("address: 127.0.0.1:8500\nrename: {web-v1: web, web-v2: web}").rename())
                .isEqualTo(Map.of("web-v1", "web", "web-v2", "web"));
        rejected("address: 127.0.0.1:8500\nrename: {Web: Web}",
                "discovery.consul.rename.Web: \"Web\" is not a Junction service name");
        rejected("address: 127.0.0.1:8500\nservices: [web]\nrename: {api: api2}",
                "discovery.consul.rename.api: renames 'api', which services does not list");
        rejected("address: 127.0.0.1:8500\nrename: [a]", "discovery.consul.rename: expected a mapping");
    }

    @Test
    void consulAndKubernetesAreTheKnownBlocks() {
        assertThatThrownBy(() -> parse("discovery:\n  consull: {address: 127.0.0.1:8500}\nservices: []\n"))
                .hasMessageContaining("discovery.consull: unknown key (did you mean 'consul'?)");
    }
}
