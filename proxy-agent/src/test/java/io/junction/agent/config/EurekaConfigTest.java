package io.junction.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.agent.discovery.eureka.EurekaSettings;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The {@code discovery.eureka} block: its keys, defaults and every rejection. */
class EurekaConfigTest {

    private static AgentConfig parse(String yaml) {
        return new ConfigLoader().parse(yaml.getBytes(StandardCharsets.UTF_8), "e.yaml");
    }

    private static EurekaSettings settings(AgentConfig c) {
        assertThat(c.discovery()).singleElement().extracting(DiscoveryBlock::name).isEqualTo("eureka");
        return ((EurekaBlockBinder.EurekaBlock) c.discovery().get(0)).settings();
    }

    @Test
    void oneUrlAndTheDefaults() {
        EurekaSettings s = settings(parse("""
                discovery:
                  eureka:
                    serviceUrl: http://127.0.0.1:8761/eureka
                services: []
                """));
        // The trailing '/' is added: apps/ and apps/delta resolve against it.
        assertThat(s).isEqualTo(new EurekaSettings(List.of(URI.create("http://127.0.0.1:8761/eureka/")),
                Duration.ofSeconds(30), Set.of(), Map.of(), false));
        assertThat(s.serves("anything")).isTrue();
        assertThat(s.serviceName("WEB")).isEqualTo("web");
    }

    @Test
    void everyKey() {
        EurekaSettings s = settings(parse("""
                discovery:
                  eureka:
                    serviceUrl: [http://eureka-1:8761/eureka/, 'https://eureka-2/eureka/']
                    refreshInterval: 5s
                    applications: [web, Billing-API]
                    rename: {BILLING-API: billing}
                    useSecurePort: true
                services: []
                """));
        assertThat(s).isEqualTo(new EurekaSettings(List.of(URI.create("http://eureka-1:8761/eureka/"),
                URI.create("https://eureka-2/eureka/")), Duration.ofSeconds(5), Set.of("WEB", "BILLING-API"),
                Map.of("BILLING-API", "billing"), true));
        assertThat(s.serves("billing-api")).isTrue();
        assertThat(s.serves("OTHER")).isFalse();
        assertThat(s.serviceName("billing-api")).isEqualTo("billing");
    }

    @Test
    void badValuesAndUnknownKeysAreRejectedWithTheirPaths() {
        assertThatThrownBy(() -> parse("""
                discovery:
                  eureka:
                    serviceURL: http://x/eureka/
                    refreshInterval: 30
                    applications: web
                    rename: {web: Web_1}
                    useSecurePort: yes please
                services: []
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("e.yaml:2: discovery.eureka.serviceUrl: required")
                .hasMessageContaining("e.yaml:3: discovery.eureka.serviceURL: unknown key (did you mean 'serviceUrl'?)")
                .hasMessageContaining("e.yaml:4: discovery.eureka.refreshInterval: 30 needs a unit")
                .hasMessageContaining("e.yaml:5: discovery.eureka.applications: expected a list")
                .hasMessageContaining("e.yaml:6: discovery.eureka.rename.web: \"Web_1\" is not a valid service name")
                .hasMessageContaining("e.yaml:7: discovery.eureka.useSecurePort: expected true or false");
        assertThatThrownBy(() -> parse("""
                discovery:
                  eureka:
                    serviceUrl: [ftp://x/eureka/, 'http://', http://a/eureka/?q=1, http://b/e/, http://b/e]
                    refreshInterval: 0s
                    applications: [web, WEB, 'a b']
                    rename: {a: x, b: x}
                services: []
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("discovery.eureka.serviceUrl[0]: \"ftp://x/eureka/\" is not a usable Eureka URL")
                .hasMessageContaining("discovery.eureka.serviceUrl[1]: \"http://\" is not a URL")
                .hasMessageContaining("discovery.eureka.serviceUrl[2]: \"http://a/eureka/?q=1\" is not a usable")
                .hasMessageContaining("discovery.eureka.serviceUrl[4]: duplicate URL http://b/e/")
                .hasMessageContaining("discovery.eureka.refreshInterval: \"0s\" is not allowed here (expected: > 0)")
                .hasMessageContaining("discovery.eureka.applications[1]: duplicate application WEB")
                .hasMessageContaining("discovery.eureka.applications[2]: \"a b\" is not an application name")
                .hasMessageContaining("discovery.eureka.rename.b: applications A and B both renamed to x");
        assertThatThrownBy(() -> parse("discovery:\n  eureka: [a]\nservices: []\n"))
                .hasMessageContaining("discovery.eureka: expected a mapping");
        assertThatThrownBy(() -> parse("discovery:\n  eureka:\n    serviceUrl: []\nservices: []\n"))
                .hasMessageContaining("discovery.eureka.serviceUrl: empty list");
        assertThatThrownBy(() -> parse("discovery:\n  eureka:\nservices: []\n"))
                .hasMessageContaining("discovery.eureka: expected a mapping");
    }
}
