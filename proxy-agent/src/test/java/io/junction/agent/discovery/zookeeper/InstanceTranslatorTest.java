package io.junction.agent.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.model.Protocol;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Instance JSON exactly as Curator's own serializer writes it, and malformed nodes, each with its reason. */
class InstanceTranslatorTest {
    private static byte[] curator(ServiceInstance<Registrar.Payload> instance) throws Exception {
        return Registrar.serializer().serialize(instance);
    }

    private static RegistryInstance translate(String json) throws MalformedInstanceException {
        return InstanceTranslator.translate("web", "i1", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsCuratorsDefaultFormatWhichHasNoEnabledFlag() throws Exception {
        byte[] json = new JsonInstanceSerializer<>(Registrar.Payload.class)
                .serialize(Registrar.instance("web", "i1", 8080, "udp", false));
        assertThat(new String(json, StandardCharsets.UTF_8)).doesNotContain("enabled");
        assertThat(InstanceTranslator.translate("web", "i1", json))
                .isEqualTo(new RegistryInstance("web", "i1", new InetSocketAddress("127.0.0.1", 8080), Protocol.UDP,
                        true));
    }

    @Test
    void readsWhatCuratorWrites() throws Exception {
        byte[] json = curator(Registrar.instance("web", "i1", 8080, null, true));
        assertThat(InstanceTranslator.translate("web", "i1", json))
                .isEqualTo(new RegistryInstance("web", "i1", new InetSocketAddress("127.0.0.1", 8080), Protocol.TCP,
                        true));
    }

    @Test
    void theProtocolComesFromThePayloadAndEnabledFalseIsKept() throws Exception {
        byte[] json = curator(Registrar.instance("dns", "u", 53, "udp", false));
        RegistryInstance i = InstanceTranslator.translate("dns", "u", json);
        assertThat(i.protocol()).isEqualTo(Protocol.UDP);
        assertThat(i.enabled()).isFalse();
    }

    @Test
    void sslPortIsUsedWhenPortIsNull() throws Exception {
        ServiceInstance<Registrar.Payload> instance = ServiceInstance.<Registrar.Payload>builder().name("web")
                .id("s").address("127.0.0.1").sslPort(8443).serviceType(ServiceType.STATIC).build();
        assertThat(InstanceTranslator.translate("web", "s", curator(instance)).address().getPort()).isEqualTo(8443);
    }

    @Test
    void springCloudZookeeperMetadataAndTypeWrappersAreReadToo() throws Exception {
        assertThat(translate("""
                {"name":"web","id":"i1","address":"127.0.0.1","port":9,"payload":{"@class":
                "org.springframework.cloud.zookeeper.discovery.ZookeeperInstance","metadata":{"protocol":"UDP"}}}
                """).protocol()).isEqualTo(Protocol.UDP);
        assertThat(translate("""
                {"address":"127.0.0.1","port":9,"payload":["com.example.Meta",{"protocol":"udp"}]}
                """).protocol()).isEqualTo(Protocol.UDP);
        assertThat(translate("{\"address\":\"127.0.0.1\",\"port\":9,\"payload\":\"text\"}").protocol())
                .isEqualTo(Protocol.TCP);
    }

    @Test
    void malformedNodesAreRejectedWithTheReason() {
        assertThatThrownBy(() -> translate("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> translate("{not json")).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> translate("[1]")).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> translate("{\"address\":\"127.0.0.1\"}"))
                .hasMessageContaining("neither port nor sslPort");
        assertThatThrownBy(() -> translate("{\"address\":\"127.0.0.1\",\"port\":70000}"))
                .hasMessageContaining("port: 70000 (expected: 1..65535)");
        assertThatThrownBy(() -> translate("{\"port\":80}")).hasMessageContaining("address: missing");
        assertThatThrownBy(() -> translate("{\"address\":\"no-such-host.invalid\",\"port\":80}"))
                .hasMessageContaining("does not resolve");
        assertThatThrownBy(() -> translate("{\"address\":\"127.0.0.1\",\"port\":80,\"enabled\":\"no\"}"))
                .hasMessageContaining("enabled");
        assertThatThrownBy(() -> translate("{\"address\":\"127.0.0.1\",\"port\":80,\"payload\":{\"protocol\":\"sctp\"}}"))
                .hasMessageContaining("expected: tcp or udp");
    }
}
