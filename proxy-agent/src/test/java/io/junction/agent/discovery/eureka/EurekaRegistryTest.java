package io.junction.agent.discovery.eureka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * Reading Eureka's JSON and keeping the local copy, on responses captured from a real Eureka server (Spring Cloud
 * Netflix 4.3.0, eureka-core 2.0.4; src/test/resources/eureka): {@code full.json} lists WEB's web-1 (UP) and web-2
 * (UP, secure port only, metadata protocol udp); {@code delta1.json} has web-1 overridden OUT_OF_SERVICE and web-2
 * DOWN; {@code delta2.json} has web-2 DELETED. Each delta's {@code apps__hashcode} is the server's whole registry.
 */
class EurekaRegistryTest {

    static EurekaApplications recorded(String name) throws IOException {
        try (InputStream in = EurekaRegistryTest.class.getResourceAsStream("/eureka/" + name)) {
            return EurekaDocument.parse(in.readAllBytes());
        }
    }

    @Test
    void aFullFetchIsReadFieldByField() throws Exception {
        EurekaApplications full = recorded("full.json");
        assertThat(full.appsHashcode()).isEqualTo("UP_2_");
        assertThat(full.problems()).isEmpty();
        assertThat(full.instances()).containsExactly(
                new EurekaInstance("WEB", "web-1", "127.0.0.1", "UP", 9001, true, 9443, false, null, "", "ADDED"),
                new EurekaInstance("WEB", "web-2", "127.0.0.1", "UP", 9002, false, 9444, true, "udp", "", "ADDED"));
    }

    @Test
    void deltasAreAppliedAndTheReconcileHashMatchesTheServers() throws Exception {
        EurekaRegistry registry = new EurekaRegistry();
        registry.replace(recorded("full.json"));
        assertThat(registry.reconcileHashCode()).isEqualTo("UP_2_");

        EurekaApplications delta1 = recorded("delta1.json");
        registry.apply(delta1);
        assertThat(registry.reconcileHashCode()).isEqualTo(delta1.appsHashcode()).isEqualTo("DOWN_1_OUT_OF_SERVICE_1_");

        EurekaApplications delta2 = recorded("delta2.json");
        registry.apply(delta2);
        assertThat(registry.reconcileHashCode()).isEqualTo(delta2.appsHashcode()).isEqualTo("OUT_OF_SERVICE_1_");
        assertThat(registry.instances()).extracting(EurekaInstance::id).containsExactly("web-1");

        // The same delta twice changes nothing; a missed one shows as a hash mismatch.
        registry.apply(delta2);
        assertThat(registry.reconcileHashCode()).isEqualTo(delta2.appsHashcode());
        EurekaRegistry missedOne = new EurekaRegistry();
        missedOne.replace(recorded("full.json"));
        missedOne.apply(doc("{\"applications\": {\"apps__hashcode\": \"DOWN_1_OUT_OF_SERVICE_1_\", \"application\": []}}"));
        assertThat(missedOne.reconcileHashCode()).isEqualTo("UP_2_").isNotEqualTo(delta1.appsHashcode());
    }

    @Test
    void theLastInstanceDeletedTakesItsApplicationAway() throws Exception {
        EurekaRegistry registry = new EurekaRegistry();
        registry.replace(recorded("full.json"));
        registry.apply(doc("""
                {"applications": {"apps__hashcode": "", "application": [{"name": "WEB", "instance": [
                  {"instanceId": "web-1", "app": "WEB", "status": "UP", "actionType": "DELETED"},
                  {"instanceId": "web-2", "app": "WEB", "status": "UP", "actionType": "DELETED"}]}]}}
                """));
        assertThat(registry.isEmpty()).isTrue();
        assertThat(registry.reconcileHashCode()).isEmpty();
    }

    @Test
    void aMalformedInstanceIsLeftOutAloneAndALoneObjectReadsAsAList() {
        EurekaApplications apps = doc("""
                {"applications": {"apps__hashcode": "UP_2_", "application": {"name": "WEB", "instance": [
                  {"instanceId": "ok-1", "app": "WEB", "ipAddr": "10.0.0.1", "status": "UP",
                   "port": {"$": "8080", "@enabled": "true"}},
                  {"instanceId": "bad-port", "app": "WEB", "ipAddr": "10.0.0.2", "status": "UP",
                   "port": {"$": "http", "@enabled": "true"}},
                  {"instanceId": "no-status", "app": "WEB", "ipAddr": "10.0.0.3"},
                  "not an object"]}}}
                """);
        assertThat(apps.instances()).singleElement().satisfies(i -> {
            assertThat(i.id()).isEqualTo("ok-1");
            assertThat(i.port()).isEqualTo(8080);
            assertThat(i.portEnabled()).isTrue();
        });
        assertThat(apps.problems()).hasSize(3)
                .anySatisfy(p -> assertThat(p).contains("instance=bad-port").contains("port \\\"http\\\" is not a number"
                        .replace("\\\"", "\"")))
                .anySatisfy(p -> assertThat(p).contains("instance=no-status").contains("no status"))
                .anySatisfy(p -> assertThat(p).contains("not an object"));
    }

    @Test
    void aDocumentThatIsNotEurekasIsAnError() {
        assertThatThrownBy(() -> doc("{\"apps\": []}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no \"applications\" object");
        assertThatThrownBy(() -> doc("<applications/>")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not JSON");
    }

    static EurekaApplications doc(String json) {
        return EurekaDocument.parse(json.getBytes(StandardCharsets.UTF_8));
    }
}
