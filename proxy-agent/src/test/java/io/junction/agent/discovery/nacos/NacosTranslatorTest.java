package io.junction.agent.discovery.nacos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.Endpoint;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The documented answers of every API version, read; and how instances map to endpoints. */
class NacosTranslatorTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static NacosSettings settings(List<String> clusters, Map<String, String> rename) {
        return new NacosSettings(List.of(new NacosServer("http", "127.0.0.1", 8848)), "", "DEFAULT_GROUP",
                List.of("web"), clusters, null, null, Duration.ofSeconds(5), rename);
    }

    private static final NacosTranslator PLAIN = new NacosTranslator(settings(List.of(), Map.of()));

    @Test
    void theDocumentedV1AnswerIsAPersistentUnhealthyInstance() {
        InstanceList list = NacosApi.V1.parse(NacosDocBodies.V1_LIST, "s");
        assertThat(list.checksum()).isEmpty();
        assertThat(list.lastRefTime()).isEqualTo(1528787794594L);
        NacosTranslator.Translation t = PLAIN.translate("nacos.test.1", list);
        ServiceKey key = ServiceKey.of("nacos.test.1", Protocol.TCP);
        assertThat(t.definitions()).containsOnlyKeys(key);
        assertThat(t.definitions().get(key).endpoints()).containsExactly(
                new Endpoint(new InetSocketAddress("10.10.10.10", 8888), 1, "", "", false, true, false));
        assertThat(t.malformed()).isEmpty();
    }

    @Test
    void theDocumentedV2AnswerIsOneReadyInstance() {
        InstanceList list = NacosApi.V2.parse(NacosDocBodies.V2_LIST, "s");
        assertThat(list.lastRefTime()).isEqualTo(1662554390814L);
        NacosTranslator.Translation t = PLAIN.translate("DEFAULT_GROUP@@test_service", list);
        assertThat(t.definitions().get(ServiceKey.of("test_service", Protocol.TCP)).endpoints())
                .containsExactly(Endpoint.of("127.0.0.1", 8080));
    }

    @Test
    void theDocumentedV3AnswerIsOneReadyInstance() {
        InstanceList list = NacosApi.V3.parse(NacosDocBodies.V3_LIST, "s");
        assertThat(list.checksum()).isEmpty();
        NacosTranslator.Translation t = PLAIN.translate("test1", list);
        assertThat(t.definitions().get(ServiceKey.of("test1", Protocol.TCP)).endpoints())
                .containsExactly(Endpoint.of("127.0.0.1", 3306));
    }

    @Test
    void eachVersionRefusesAnotherVersionsBodyAndNacosErrors() {
        assertThatThrownBy(() -> NacosApi.V2.parse(NacosDocBodies.V1_LIST, "s")).hasMessageContaining("no numeric");
        assertThatThrownBy(() -> NacosApi.V3.parse(NacosDocBodies.V2_LIST, "s")).hasMessageContaining("data");
        assertThatThrownBy(() -> NacosApi.V1.parse(NacosDocBodies.V3_LIST, "s")).hasMessageContaining("hosts");
        assertThatThrownBy(() -> NacosApi.V2.parse("{\"code\":21008,\"message\":\"service not exist\",\"data\":null}",
                "s")).hasMessageContaining("code=21008");
        assertThatThrownBy(() -> NacosApi.V1.parse("<html>", "s")).hasMessageContaining("not JSON");
    }

    @Test
    void aMissingPathIsUnsupportedButANacosErrorIsNot() {
        assertThat(NacosApi.unsupported(404, "<h1>404 Not Found</h1>No context found for request")).isTrue();
        assertThat(NacosApi.unsupported(404, "{\"timestamp\":1,\"status\":404,\"error\":\"Not Found\"}")).isTrue();
        assertThat(NacosApi.unsupported(404, "{\"code\":20004,\"message\":\"resource not found\",\"data\":\"x\"}"))
                .isFalse();
        assertThat(NacosApi.unsupported(500, "")).isFalse();
    }

    @Test
    void healthEnabledAndWeightBecomeConditionsAndWeights() {
        NacosTranslator.Translation t = PLAIN.translate("web", list(
                host("10.0.0.1", 80, 1.0, true, true),
                host("10.0.0.2", 80, 1.0, false, true),
                host("10.0.0.3", 80, 1.0, true, false),
                host("10.0.0.4", 80, 0.0, true, true),
                host("10.0.0.5", 80, 2.6, true, true),
                host("10.0.0.6", 80, 0.2, true, true),
                host("10.0.0.7", 80, 10000, true, true)));
        List<Endpoint> eps = t.definitions().get(ServiceKey.of("web", Protocol.TCP)).endpoints();
        assertThat(eps).extracting(e -> e.address().getHostString(), Endpoint::ready, Endpoint::serving,
                Endpoint::weight).containsExactly(
                org.assertj.core.groups.Tuple.tuple("10.0.0.1", true, true, 1),
                org.assertj.core.groups.Tuple.tuple("10.0.0.2", false, true, 1),
                org.assertj.core.groups.Tuple.tuple("10.0.0.3", false, false, 1),
                org.assertj.core.groups.Tuple.tuple("10.0.0.4", false, true, 1),
                org.assertj.core.groups.Tuple.tuple("10.0.0.5", true, true, 3),
                org.assertj.core.groups.Tuple.tuple("10.0.0.6", true, true, 1),
                org.assertj.core.groups.Tuple.tuple("10.0.0.7", true, true, Endpoint.MAX_WEIGHT));
    }

    @Test
    void udpInMetadataMakesAUdpServiceAndRenameAndGroupPrefixGiveTheName() {
        NacosTranslator t = new NacosTranslator(settings(List.of(), Map.of("Web_API", "web")));
        NacosTranslator.Translation out = t.translate("Web_API", list(
                "{\"ip\":\"10.0.0.1\",\"port\":53,\"metadata\":{\"protocol\":\"UDP\"}}",
                "{\"ip\":\"10.0.0.1\",\"port\":80,\"metadata\":{}}",
                "{\"ip\":\"10.0.0.1\",\"port\":80,\"metadata\":{\"protocol\":\"tcp\"}}"));
        assertThat(out.definitions()).containsOnlyKeys(ServiceKey.of("web", Protocol.UDP),
                ServiceKey.of("web", Protocol.TCP));
        assertThat(out.definitions().get(ServiceKey.of("web", Protocol.TCP)).endpoints()).hasSize(1);
        assertThat(NacosTranslator.stripGroup("G@@orders")).isEqualTo("orders");
    }

    @Test
    void malformedInstancesAreLeftOutAndNamedTheRestCount() {
        NacosTranslator.Translation t = PLAIN.translate("web", list(
                "{\"ip\":\"10.0.0.1\",\"port\":80}",
                "{\"instanceId\":\"bad-ip\",\"ip\":\"host.example\",\"port\":80}",
                "{\"ip\":\"10.0.0.2\",\"port\":70000}",
                "{\"ip\":\"10.0.0.3\",\"port\":80,\"weight\":-1}",
                "{\"ip\":\"10.0.0.4\",\"port\":80,\"healthy\":\"yes\"}",
                "{\"ip\":\"10.0.0.5\",\"port\":80,\"metadata\":{\"protocol\":\"sctp\"}}",
                "{\"port\":80}"));
        assertThat(t.definitions().get(ServiceKey.of("web", Protocol.TCP)).endpoints())
                .containsExactly(Endpoint.of("10.0.0.1", 80));
        assertThat(t.malformed()).hasSize(6);
        assertThat(t.malformed().get(0)).contains("instance=bad-ip").contains("not an IP address");
        assertThat(t.malformed().get(1)).contains("10.0.0.2:70000").contains("port 70000");
        assertThat(t.malformed().get(2)).contains("weight -1");
        assertThat(t.malformed().get(3)).contains("healthy");
        assertThat(t.malformed().get(4)).contains("sctp");
        assertThat(t.malformed().get(5)).contains("ip is missing");
    }

    @Test
    void clustersKeepOnlyTheirInstancesAndNoInstancesMeansNoService() {
        NacosTranslator t = new NacosTranslator(settings(List.of("a"), Map.of()));
        NacosTranslator.Translation out = t.translate("web", list(
                "{\"ip\":\"10.0.0.1\",\"port\":80,\"clusterName\":\"a\"}",
                "{\"ip\":\"10.0.0.2\",\"port\":80,\"clusterName\":\"b\"}"));
        ServiceDefinition d = out.definitions().get(ServiceKey.of("web", Protocol.TCP));
        assertThat(d.endpoints()).containsExactly(Endpoint.of("10.0.0.1", 80));
        assertThat(PLAIN.translate("web", list()).definitions()).isEmpty();
    }

    private static String host(String ip, int port, double weight, boolean healthy, boolean enabled) {
        return "{\"ip\":\"" + ip + "\",\"port\":" + port + ",\"weight\":" + weight + ",\"healthy\":" + healthy
                + ",\"enabled\":" + enabled + ",\"ephemeral\":true,\"clusterName\":\"DEFAULT\",\"metadata\":{}}";
    }

    private static InstanceList list(String... hosts) {
        List<JsonNode> nodes = new ArrayList<>();
        for (String h : hosts) {
            nodes.add(JSON.readTree(h));
        }
        return new InstanceList("", 0, nodes);
    }
}
