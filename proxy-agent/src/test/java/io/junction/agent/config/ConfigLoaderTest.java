package io.junction.agent.config;

import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.forward.tcp.AccessLogFormat;
import io.junction.core.model.Endpoint;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServicePolicy;
import io.junction.core.model.ServiceSpec;
import io.junction.core.model.SpliceMode;
import io.junction.core.model.TcpSettings;
import io.junction.core.model.UdpSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    static final String MINIMAL = """
            admin:
              listen: 127.0.0.1:9901
            services:
              - name: demo            # namespace defaults to "default"
                protocol: tcp         # tcp | udp
                listen: 127.0.0.1:10080
                lb: round-robin       # round-robin | random | least-connections | weighted | client-ip
                connectTimeout: 1s
                endpoints:
                  - 127.0.0.1:18081
                  - address: 127.0.0.1:18082
                    weight: 2
            """;

    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void minimalShapeParsesWithDefaults() {
        AgentConfig config = loader.parse(MINIMAL, "junction.yaml");

        assertThat(config.adminListen()).isEqualTo(new InetSocketAddress("127.0.0.1", 9901));
        assertThat(config.workerThreads()).isZero();
        assertThat(config.workerYieldMicros()).isEqualTo(100);
        assertThat(config.shutdownDrainTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.accessLog()).isTrue();
        assertThat(config.accessLogFormat()).isEqualTo(AccessLogFormat.TEXT);
        ServiceKey key = new ServiceKey("default", "demo", "", Protocol.TCP);
        assertThat(config.services()).containsOnlyKeys(key);
        ServiceDefinition def = config.services().get(key);
        ServiceSpec expected = ServiceSpec.of(key, new InetSocketAddress("127.0.0.1", 10080), LbPolicy.ROUND_ROBIN);
        assertThat(config.spec(key)).isEqualTo(expected);
        assertThat(config.spec(key).tcp()).isEqualTo(TcpSettings.DEFAULTS);
        assertThat(config.spec(key).affinityTimeout()).isEqualTo(ServiceSpec.DEFAULT_AFFINITY_TIMEOUT);
        assertThat(def.hints()).as("the file is the node's own config: its settings are policy, not hints")
                .isEqualTo(ServicePolicy.EMPTY);
        assertThat(def.virtualAddresses()).isEmpty();
        assertThat(def.endpoints()).containsExactly(
                Endpoint.of("127.0.0.1", 18081),
                Endpoint.of("127.0.0.1", 18082).withWeight(2));
    }

    @Test
    void everyKeyIsRead() {
        String yaml = """
                admin:
                  listen: off
                proxy:
                  workerThreads: 4
                  workerYieldMicros: 0
                  shutdownDrainTimeout: 1m30s
                  accessLog: false
                  accessLogFormat: JSON
                services:
                  - name: web.v2
                    namespace: shop
                    port: http
                    protocol: TCP
                    listen: "[::1]:8443"
                    lb: client-ip
                    affinityTimeout: 1h
                    connectTimeout: 250ms
                    maxConnectAttempts: 5
                    idleTimeout: 0
                    maxConnections: 100
                    drainTimeout: 10s
                    writeBufferHighWaterMark: 1MiB
                    writeBufferLowWaterMark: 65536
                    splice: auto
                    endpoints:
                      - "[::1]:9000"
                      - address: 127.0.0.1:9001
                        weight: 1000
                        zone: z1
                        node: n1
                        ready: false
                        serving: true
                        terminating: true
                  - name: dns
                    protocol: udp
                    listen: 0.0.0.0:5353
                    lb: weighted
                    sessionIdleTimeout: 2m
                    maxSessions: 50
                    maxDatagramSize: 1KiB
                    endpoints: []
                """;
        AgentConfig config = loader.parse(yaml, "all.yaml");

        assertThat(config.adminListen()).isNull();
        assertThat(config.adminEnabled()).isFalse();
        assertThat(config.workerThreads()).isEqualTo(4);
        assertThat(config.workerYieldMicros()).as("0 turns yielding off").isZero();
        assertThat(config.shutdownDrainTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.accessLog()).isFalse();
        assertThat(config.accessLogFormat()).as("any case").isEqualTo(AccessLogFormat.JSON);
        List<ServiceKey> keys = List.copyOf(config.services().keySet());
        assertThat(keys).containsExactly(new ServiceKey("shop", "web.v2", "http", Protocol.TCP),
                ServiceKey.of("dns", Protocol.UDP));

        ServiceDefinition web = config.services().get(keys.get(0));
        assertThat(config.spec(keys.get(0)).listen()).isEqualTo(new InetSocketAddress("::1", 8443));
        assertThat(config.spec(keys.get(0)).lb()).isEqualTo(LbPolicy.CLIENT_IP);
        assertThat(config.spec(keys.get(0)).affinityTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(config.spec(keys.get(0)).tcp()).isEqualTo(new TcpSettings(Duration.ofMillis(250), 5, Duration.ZERO, 100,
                Duration.ofSeconds(10), 1 << 20, 65536, SpliceMode.AUTO));
        assertThat(web.endpoints()).containsExactly(
                Endpoint.of(new InetSocketAddress("::1", 9000)),
                new Endpoint(new InetSocketAddress("127.0.0.1", 9001), 1000, "z1", "n1", false, true, true));

        ServiceDefinition dns = config.services().get(keys.get(1));
        assertThat(config.spec(keys.get(1)).udp()).isEqualTo(new UdpSettings(Duration.ofMinutes(2), 50, 1024));
        assertThat(config.spec(keys.get(1)).tcp()).isEqualTo(TcpSettings.DEFAULTS);
        assertThat(dns.endpoints()).isEmpty();
    }

    @Test
    void defaultsApplyWhereAServiceIsSilentAndTheServiceWinsWhereItSpeaks() {
        String yaml = """
                defaults:
                  lb: least-connections
                  connectTimeout: 500ms
                  sessionIdleTimeout: 5s
                services:
                  - name: a
                    listen: 127.0.0.1:1000
                  - name: b
                    listen: 127.0.0.1:1001
                    lb: random
                    idleTimeout: 0
                  - name: c
                    protocol: udp
                    listen: 127.0.0.1:1002
                    maxSessions: 7
                """;
        AgentConfig config = loader.parse(yaml, "d.yaml");

        ServiceSpec a = config.spec(ServiceKey.of("a", Protocol.TCP));
        assertThat(a.lb()).isEqualTo(LbPolicy.LEAST_CONNECTIONS);
        assertThat(a.tcp().connectTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.services().get(a.key()).endpoints()).as("endpoints may come from elsewhere").isEmpty();
        ServiceSpec b = config.spec(ServiceKey.of("b", Protocol.TCP));
        assertThat(b.lb()).isEqualTo(LbPolicy.RANDOM);
        assertThat(b.tcp().idleTimeout()).isZero();
        assertThat(b.tcp().connectTimeout()).as("the service's own TCP keys sit on the defaults")
                .isEqualTo(Duration.ofMillis(500));
        ServiceSpec c = config.spec(ServiceKey.of("c", Protocol.UDP));
        assertThat(c.udp().sessionIdleTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.udp().maxSessions()).isEqualTo(7);
        assertThat(config.policy().defaults().listen()).isNull();
        assertThat(config.discovery()).isEmpty();
    }

    /** The README's config example is a file the agent accepts, with the layering the README describes. */
    @Test
    void theReadmeConfigExampleIsValid() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int section = readme.indexOf("## Config reference");
        int start = readme.indexOf("```yaml\n", section) + "```yaml\n".length();
        String yaml = readme.substring(start, readme.indexOf("```", start));

        AgentConfig config = loader.parse(yaml, "README.md");

        ServiceSpec demo = config.spec(ServiceKey.of("demo", Protocol.TCP));
        assertThat(demo.lb()).as("the entry overrides defaults.lb").isEqualTo(LbPolicy.ROUND_ROBIN);
        assertThat(demo.tcp().connectTimeout()).as("defaults apply where the entry is silent")
                .isEqualTo(Duration.ofMillis(500));
    }

    /** The shipped config loads as it is, and with its commented-out example keys (indented four) switched on. */
    @Test
    void theShippedConfigIsValidWithAndWithoutItsCommentedKeys() throws Exception {
        Path file = Path.of("..", "config", "junction.yaml");
        String shipped = Files.readString(file);
        String uncommented = shipped.replaceAll("(?m)^    # ", "    ");

        AgentConfig config = loader.load(file);
        AgentConfig all = loader.parse(uncommented, "junction.yaml, uncommented");

        ServiceKey demo = ServiceKey.of("demo", Protocol.TCP);
        assertThat(config.spec(demo).health().check().enabled()).isFalse();
        assertThat(uncommented).isNotEqualTo(shipped);
        assertThat(all.spec(demo).health().check().enabled()).isTrue();
    }

    @Test
    void servicesKeepFileOrderAndAreImmutable() {
        StringBuilder yaml = new StringBuilder("services:\n");
        for (int i = 9; i >= 0; i--) {
            yaml.append("  - {name: s").append(i).append(", listen: 127.0.0.1:").append(20000 + i)
                    .append(", endpoints: []}\n");
        }
        AgentConfig config = loader.parse(yaml.toString(), "order.yaml");

        assertThat(config.services().keySet()).extracting(ServiceKey::name)
                .containsExactly("s9", "s8", "s7", "s6", "s5", "s4", "s3", "s2", "s1", "s0");
        assertThatThrownBy(() -> config.services().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void onlyHighWaterMarkGivenLowersTheDefaultLowMark() {
        String yaml = """
                services:
                  - name: a
                    listen: 127.0.0.1:1000
                    writeBufferHighWaterMark: 8KiB
                    endpoints: []
                """;
        TcpSettings tcp = onlySpec(loader.parse(yaml, "w.yaml")).tcp();

        assertThat(tcp.writeBufferHighWaterMark()).isEqualTo(8192);
        assertThat(tcp.writeBufferLowWaterMark()).isEqualTo(4096);
    }

    @Test
    void spliceModesParseInEverySpelling() {
        assertThat(spliceOf("")).isEqualTo(SpliceMode.OFF);
        assertThat(spliceOf("splice: on")).isEqualTo(SpliceMode.ON);
        assertThat(spliceOf("splice: off")).isEqualTo(SpliceMode.OFF);
        assertThat(spliceOf("splice: AUTO")).isEqualTo(SpliceMode.AUTO);
        assertThat(spliceOf("splice: \"on\"")).isEqualTo(SpliceMode.ON);
        // A YAML 1.1 habit: booleans mean on and off.
        assertThat(spliceOf("splice: true")).isEqualTo(SpliceMode.ON);
        assertThat(spliceOf("splice: false")).isEqualTo(SpliceMode.OFF);
    }

    private static ServiceSpec onlySpec(AgentConfig config) {
        return config.spec(config.services().keySet().iterator().next());
    }

    private SpliceMode spliceOf(String line) {
        String yaml = "services:\n  - name: a\n    listen: 127.0.0.1:1000\n    " + line + "\n    endpoints: []\n";
        return onlySpec(loader.parse(yaml, "s.yaml")).tcp().splice();
    }

    @Test
    void hostNamesAreResolvedOnceAtLoadTime() throws Exception {
        int[] calls = {0};
        ConfigLoader withFakeDns = new ConfigLoader(host -> {
            calls[0]++;
            if (host.equals("backend.local")) {
                return InetAddress.getByAddress(host, new byte[] {127, 0, 0, 7});
            }
            throw new UnknownHostException(host);
        });
        String yaml = """
                services:
                  - name: a
                    listen: 127.0.0.1:1000
                    endpoints: [backend.local:80, backend.local:81]
                """;
        List<Endpoint> eps = withFakeDns.parse(yaml, "dns.yaml").services().values().iterator().next().endpoints();

        assertThat(eps).extracting(e -> e.address().getAddress().getHostAddress()).containsOnly("127.0.0.7");
        assertThat(eps).extracting(e -> e.address().getPort()).containsExactly(80, 81);
        assertThat(calls[0]).isEqualTo(1);
    }

    @Test
    void unresolvableHostIsWordedTheSameWhateverTheResolverSays() {
        // The JDK says "host: Name or service not known" on a fresh lookup and just "host" from its negative cache.
        String[] wording = {"nowhere.invalid: Name or service not known", "nowhere.invalid",
            "nowhere.invalid: Temporary failure in name resolution"};
        String yaml = "services:\n  - {name: a, listen: '127.0.0.1:1000', endpoints: [nowhere.invalid:80]}\n";
        List<String> messages = new java.util.ArrayList<>();
        for (String text : wording) {
            ConfigLoader dns = new ConfigLoader(host -> {
                throw new UnknownHostException(text);
            });
            assertThatThrownBy(() -> dns.parse(yaml, "dns.yaml")).isInstanceOfSatisfying(ConfigException.class,
                    e -> messages.add(e.getMessage()));
        }

        assertThat(messages).containsOnly(
                "dns.yaml:2: services[0].endpoints[0]: cannot resolve host 'nowhere.invalid' (unknown host)");
    }

    @Test
    void loadNamesTheFileAndAllErrorsInOneMessage(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, """
                services:
                  - name: a
                    listen: 127.0.0.1:1000
                    connectTimeout: -1s
                    endpoints: []
                  - name: b
                    listen: 127.0.0.1:1001
                    connectTimeout: 5
                    endpoints: [127.0.0.1:0]
                """, StandardCharsets.UTF_8);

        assertThatThrownBy(() -> loader.load(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.errors()).hasSize(3);
                    assertThat(e.getMessage().lines()).containsExactly(
                            file + ":4: services[0].connectTimeout: \"-1s\" is not a valid duration "
                                    + "(expected e.g. 500ms, 2s, 1m)",
                            file + ":8: services[1].connectTimeout: 5 needs a unit (e.g. 5s or 5ms)",
                            file + ":9: services[1].endpoints[0]: \"127.0.0.1:0\" is not a valid endpoint address: "
                                    + "port 0 is out of range (expected: 1..65535) (expected ip:port, [ipv6]:port or "
                                    + "host:port)");
                });
    }

    @Test
    void missingFileIsAConfigException(@TempDir Path dir) {
        Path file = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> loader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ": file not found");
    }

    @Test
    void byteOrderMarkAndWindowsLineEndingsAreAccepted() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = MINIMAL.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] content = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, content, 0, bom.length);
        System.arraycopy(body, 0, content, bom.length, body.length);

        assertThat(loader.parse(content, "crlf.yaml").services())
                .isEqualTo(loader.parse(MINIMAL, "lf.yaml").services());
    }

    @Test
    void errorsOnALaterLineKeepTheirLineAfterWindowsLineEndings() {
        String yaml = MINIMAL.replace("connectTimeout: 1s", "connectTimeout: 1").replace("\n", "\r\n");
        assertThatThrownBy(() -> loader.parse(yaml, "crlf.yaml"))
                .hasMessage("crlf.yaml:8: services[0].connectTimeout: 1 needs a unit (e.g. 1s or 1ms)");
    }

    @Test
    void durationsAndSizesParse() {
        assertThat(DurationFormat.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DurationFormat.parse("1d2h3m4s5ms")).isEqualTo(Duration.ofDays(1).plusHours(2).plusMinutes(3)
                .plusSeconds(4).plusMillis(5));
        assertThat(DurationFormat.parse("0s")).isZero();
        assertThat(DurationFormat.parse("1.5s")).isNull();
        assertThat(DurationFormat.parse("s")).isNull();
        assertThat(DurationFormat.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(SizeFormat.parse("32KiB")).isEqualTo(32768);
        assertThat(SizeFormat.parse("1 mib")).isEqualTo(1 << 20);
        assertThat(SizeFormat.parse("12")).isEqualTo(12);
        assertThat(SizeFormat.parse("1KB")).isEqualTo(-1);
    }
}
