package io.junction.agent.discovery.eureka;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.Endpoint;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Eureka instances to Junction services: names, protocols, ports and their enabled flags, status to conditions. */
class EurekaTranslatorTest {
    private static final ServiceKey WEB = ServiceKey.of("web", Protocol.TCP);

    private static EurekaSettings settings(Set<String> apps, Map<String, String> rename, boolean secure) {
        return new EurekaSettings(List.of(URI.create("http://127.0.0.1:8761/eureka/")), Duration.ofSeconds(30),
                apps, rename, secure);
    }

    private static EurekaTranslator.Result translate(EurekaSettings s, EurekaInstance... instances) {
        return new EurekaTranslator(s).translate(List.of(instances));
    }

    @Test
    void theRecordedRegistryMakesATcpAndAUdpService() throws Exception {
        EurekaRegistry registry = new EurekaRegistry();
        registry.replace(EurekaRegistryTest.recorded("full.json"));
        EurekaTranslator.Result r = new EurekaTranslator(settings(Set.of(), Map.of(), false))
                .translate(registry.instances());
        assertThat(r.problems()).isEmpty();
        // web-1: the plain port; web-2: plain port disabled, so its secure one, and udp from its metadata.
        assertThat(r.services()).containsOnly(
                Map.entry(WEB, ServiceDefinition.of(WEB, List.of(Endpoint.of("127.0.0.1", 9001)))),
                Map.entry(ServiceKey.of("web", Protocol.UDP), ServiceDefinition.of(ServiceKey.of("web",
                        Protocol.UDP), List.of(Endpoint.of("127.0.0.1", 9444)))));

        // With useSecurePort, web-1 (secure port disabled) is left out rather than sent TLS on its plain port.
        EurekaTranslator.Result secure = new EurekaTranslator(settings(Set.of(), Map.of(), true))
                .translate(registry.instances());
        assertThat(secure.services()).containsOnlyKeys(ServiceKey.of("web", Protocol.UDP));
        assertThat(secure.problems()).singleElement().asString().contains("instance=WEB/web-1")
                .contains("useSecurePort is set and securePort is not enabled");
    }

    @Test
    void portFlags() {
        EurekaSettings plain = settings(Set.of(), Map.of(), false);
        EurekaSettings secure = settings(Set.of(), Map.of(), true);
        EurekaInstance both = new EurekaInstance("WEB", "1", "10.0.0.1", "UP", 80, true, 443, true, null, "", null);
        EurekaInstance none = new EurekaInstance("WEB", "2", "10.0.0.2", "UP", 80, false, 443, false, null, "", null);
        EurekaInstance zero = new EurekaInstance("WEB", "3", "10.0.0.3", "UP", 0, true, 443, false, null, "", null);
        assertThat(ports(translate(plain, both))).containsExactly(80);
        assertThat(ports(translate(secure, both))).containsExactly(443);
        EurekaTranslator.Result r = translate(plain, none, zero);
        assertThat(r.services()).isEmpty();
        assertThat(r.problems()).containsExactly("instance=WEB/2 skipped reason=\"no enabled port\"",
                "instance=WEB/3 skipped reason=\"the enabled port is 0\"");
    }

    @Test
    void statusMapsToConditions() {
        EurekaTranslator t = new EurekaTranslator(settings(Set.of(), Map.of(), false));
        Map<String, List<Boolean>> expected = Map.of("UP", List.of(true, true), "STARTING", List.of(false, true),
                "OUT_OF_SERVICE", List.of(false, true), "DOWN", List.of(false, false), "UNKNOWN", List.of(false, false),
                "SOMETHING_NEW", List.of(false, false));
        expected.forEach((status, readyServing) -> {
            Endpoint e = t.translate(List.of(new EurekaInstance("WEB", "i", "10.0.0.1", status, 80, true, 0, false,
                    null, "", null))).services().get(WEB).endpoints().get(0);
            assertThat(List.of(e.ready(), e.serving())).as(status).isEqualTo(readyServing);
            assertThat(e.terminating()).isFalse();
        });
    }

    @Test
    void namesFiltersRenamesAndBadInstances() {
        EurekaSettings s = settings(Set.of("WEB", "MY_APP", "BILLING"), Map.of("BILLING", "pay"), false);
        EurekaTranslator.Result r = translate(s,
                new EurekaInstance("WEB", "w1", "10.0.0.1", "UP", 80, true, 0, false, "UDP", "z1", null),
                new EurekaInstance("WEB", "w2", "fe80::1", "UP", 80, true, 0, false, "tcp", "", null),
                new EurekaInstance("WEB", "w3", "web-3.example", "UP", 80, true, 0, false, null, "", null),
                new EurekaInstance("BILLING", "b1", "10.0.0.9", "UP", 81, true, 0, false, null, "", null),
                new EurekaInstance("MY_APP", "m1", "10.0.0.7", "UP", 82, true, 0, false, null, "", null),
                new EurekaInstance("OTHER", "o1", "10.0.0.8", "UP", 83, true, 0, false, null, "", null));
        assertThat(r.services().keySet()).containsExactlyInAnyOrder(ServiceKey.of("web", Protocol.UDP), WEB,
                ServiceKey.of("pay", Protocol.TCP));
        assertThat(r.services().get(ServiceKey.of("web", Protocol.UDP)).endpoints()).singleElement()
                .satisfies(e -> assertThat(e.zone()).isEqualTo("z1"));
        assertThat(r.services().get(WEB).endpoints()).singleElement()
                .satisfies(e -> assertThat(e.address()).isEqualTo(new InetSocketAddress("fe80::1", 80)));
        assertThat(r.problems()).containsExactlyInAnyOrder(
                "instance=WEB/w3 skipped reason=\"ipAddr web-3.example is not an IP address\"",
                "instance=MY_APP/m1 skipped reason=\"service name my_app is not valid (lower-case letters, digits,"
                        + " '-' and '.'; use rename)\"");
    }

    @Test
    void twoInstancesOnOneAddressAreOneEndpointTheReadierWins() {
        EurekaTranslator.Result r = translate(settings(Set.of(), Map.of(), false),
                new EurekaInstance("WEB", "old", "10.0.0.5", "DOWN", 80, true, 0, false, null, "", null),
                new EurekaInstance("WEB", "new", "10.0.0.5", "UP", 80, true, 0, false, null, "", null));
        assertThat(r.services().get(WEB).endpoints()).singleElement().satisfies(e -> assertThat(e.ready()).isTrue());
    }

    private static List<Integer> ports(EurekaTranslator.Result r) {
        return r.services().values().stream().flatMap(d -> d.endpoints().stream())
                .map(e -> e.address().getPort()).toList();
    }
}
