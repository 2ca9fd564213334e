package io.junction.agent.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Table of broken configs: each must fail with one {@link ConfigException} naming the line, the path and why. */
class ConfigBadFilesTest {

    /** One bad file and fragments its error message must contain (the first usually being {@code file:line: path}). */
    record Case(String name, byte[] content, List<String> fragments) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** DNS stand-in: only {@code backend.local} exists, so no test depends on the machine's resolver. */
    private static final HostResolver FAKE_DNS = host -> {
        if (host.equals("backend.local")) {
            return InetAddress.getByAddress(host, new byte[] {127, 0, 0, 9});
        }
        throw new UnknownHostException(host + ": Name or service not known");
    };

    /** A valid tcp service on lines 2-4; {@code extra} lines start at line 5. */
    private static String service(String extra) {
        return """
                services:
                  - name: a
                    listen: 127.0.0.1:10080
                    endpoints: [127.0.0.1:18081]
                """ + extra.indent(4);
    }

    /** A service whose endpoint list is {@code endpoints} (YAML flow syntax) instead of the default one. */
    private static String serviceWithEndpoints(String endpoints) {
        return service("endpoints: " + endpoints).replace("    endpoints: [127.0.0.1:18081]\n", "");
    }

    private static String udpService(String extra) {
        return service("protocol: udp\n" + extra);
    }

    private static Case text(String name, String yaml, String... fragments) {
        return new Case(name, yaml.getBytes(StandardCharsets.UTF_8), List.of(fragments));
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(text("yaml syntax error", "services:\n  - name: a\n   listen: [\n", "bad.yaml:", "YAML syntax error"));
        // At the end of the stream the YAML engine marks the line after the last line break: past the end of the file.
        c.add(text("unclosed list on the last line", "services:\n  - [unclosed\n",
                "bad.yaml:2: YAML syntax error", "(column 14)"));
        c.add(text("unclosed list on the last line, no final newline", "services:\n  - [unclosed",
                "bad.yaml:2: YAML syntax error", "(column 14)"));
        c.add(text("unclosed list, then blank CRLF lines", "services:\r\n  - [unclosed\r\n  \r\n\r\n",
                "bad.yaml:2: YAML syntax error", "(column 14)"));
        c.add(text("unclosed quote on the last line", "services:\n  - \"unclosed\n", "bad.yaml:2: YAML syntax error"));
        c.add(text("bad indentation", "services:\n  - name: a\n listen: x\n", "bad.yaml:3:", "YAML syntax error"));
        c.add(text("wrong type int", service("maxConnections: lots"),
                "bad.yaml:5: services[0].maxConnections: expected an integer, got \"lots\""));
        c.add(text("wrong type bool", "proxy:\n  accessLog: sometimes\nservices: []\n",
                "bad.yaml:2: proxy.accessLog: expected true or false, got \"sometimes\""));
        c.add(text("unknown access log format", "proxy:\n  accessLogFormat: yaml\nservices: []\n",
                "bad.yaml:2: proxy.accessLogFormat: \"yaml\" is not a valid access log format (expected one of: text, json)"));
        c.add(text("access log format of the wrong type", "proxy:\n  accessLogFormat: [json]\nservices: []\n",
                "bad.yaml:2: proxy.accessLogFormat: expected a string"));
        c.add(text("negative worker threads", "proxy:\n  workerThreads: -1\nservices: []\n",
                "bad.yaml:2: proxy.workerThreads: -1 is out of range (expected: 0..1024)"));
        c.add(text("worker yield too long", "proxy:\n  workerYieldMicros: 2000000\nservices: []\n",
                "bad.yaml:2: proxy.workerYieldMicros: 2000000 is out of range (expected: 0..1000000)"));
        c.add(text("unknown top-level key", "services: []\nservics: []\n",
                "bad.yaml:2: servics: unknown key (did you mean 'services'?)"));
        c.add(text("unknown nested key", service("""
                endpoints:
                  - 127.0.0.1:1
                  - address: 127.0.0.1:2
                    wieght: 2
                """).replace("    endpoints: [127.0.0.1:18081]\n", ""),
                "bad.yaml:7: services[0].endpoints[1].wieght: unknown key (did you mean 'weight'?)"));
        c.add(text("duplicate listen", service("") + """
                  - name: b
                    listen: 127.0.0.1:10080
                    endpoints: []
                """, "bad.yaml:6: services[1].listen: 127.0.0.1:10080/tcp is already used by services[0] (line 3)"));
        c.add(text("wildcard listen clash", service("") + """
                  - name: b
                    listen: 0.0.0.0:10080
                    endpoints: []
                """, "bad.yaml:6: services[1].listen: 0.0.0.0:10080/tcp is already used by services[0]"));
        c.add(text("duplicate service", service("") + """
                  - name: a
                    listen: 127.0.0.1:10081
                    endpoints: []
                """, "bad.yaml:5: services[1].name: duplicate service default/a/tcp (already defined at services[0]"));
        c.add(text("listen port 0", "services:\n  - {name: a, listen: '127.0.0.1:0', endpoints: []}\n",
                "bad.yaml:2: services[0].listen: \"127.0.0.1:0\" is not a valid listen address: port 0 is out of range"));
        c.add(text("listen port 65536", "services:\n  - {name: a, listen: '127.0.0.1:65536', endpoints: []}\n",
                "services[0].listen: \"127.0.0.1:65536\"", "port 65536 is out of range (expected: 1..65535)"));
        c.add(text("listen on a host name", "services:\n  - {name: a, listen: 'localhost:80', endpoints: []}\n",
                "services[0].listen:", "the host must be an IP address"));
        c.add(text("ipv6 listen without brackets", "services:\n  - {name: a, listen: '::1:80', endpoints: []}\n",
                "services[0].listen:", "an IPv6 address needs brackets"));
        c.add(text("negative duration", service("connectTimeout: -1s"),
                "bad.yaml:5: services[0].connectTimeout: \"-1s\" is not a valid duration (expected e.g. 500ms, 2s, 1m)"));
        c.add(text("garbage duration", service("idleTimeout: soon"),
                "bad.yaml:5: services[0].idleTimeout: \"soon\" is not a valid duration"));
        c.add(text("bare number duration", service("connectTimeout: 30"),
                "bad.yaml:5: services[0].connectTimeout: 30 needs a unit (e.g. 30s or 30ms)"));
        c.add(text("fractional duration", service("connectTimeout: 1.5"),
                "bad.yaml:5: services[0].connectTimeout: 1.5 is not a valid duration (expected e.g. 500ms, 2s, 1m)"));
        c.add(text("zero where zero is not off", service("connectTimeout: 0s"),
                "bad.yaml:5: services[0].connectTimeout: \"0s\" is not allowed here (expected: > 0)"));
        c.add(text("affinity timeout too long", service("affinityTimeout: 2d"),
                "bad.yaml:5: services[0].affinityTimeout: \"2d\" is too long (expected: <= 1d)"));
        c.add(text("weight 0", serviceWithEndpoints("[{address: 127.0.0.1:1, weight: 0}]"),
                "bad.yaml:4: services[0].endpoints[0].weight: 0 is out of range (expected: 1..1000)"));
        c.add(text("weight 1001", serviceWithEndpoints("[{address: 127.0.0.1:1, weight: 1001}]"),
                "services[0].endpoints[0].weight: 1001 is out of range (expected: 1..1000)"));
        c.add(text("fractional weight", serviceWithEndpoints("[{address: 127.0.0.1:1, weight: 1.5}]"),
                "services[0].endpoints[0].weight: expected an integer, got 1.5"));
        c.add(text("huge weight", serviceWithEndpoints("[{address: 127.0.0.1:1, weight: 99999999999999999999}]"),
                "services[0].endpoints[0].weight: 99999999999999999999 is out of range"));
        c.add(text("bad lb", service("lb: fastest"),
                "bad.yaml:5: services[0].lb: \"fastest\" is not a valid lb policy (expected one of: round-robin, "
                        + "random, least-connections, weighted, client-ip, maglev, peak-ewma)"));
        c.add(text("bad protocol", service("protocol: sctp"),
                "bad.yaml:5: services[0].protocol: \"sctp\" is not a valid protocol (expected: tcp or udp)"));
        c.add(text("udp key on tcp service", service("maxSessions: 10"),
                "bad.yaml:5: services[0].maxSessions: applies only to udp services (this service is tcp)"));
        c.add(text("tcp key on udp service", udpService("connectTimeout: 1s"),
                "bad.yaml:6: services[0].connectTimeout: applies only to tcp services (this service is udp)"));
        c.add(text("bad splice mode", service("splice: always"),
                "bad.yaml:5: services[0].splice: \"always\" is not a valid splice mode (expected one of: off, on, auto)"));
        c.add(text("numeric splice mode", service("splice: 1"),
                "bad.yaml:5: services[0].splice: 1 is not a valid splice mode (expected one of: off, on, auto)"));
        c.add(text("splice on udp service", udpService("splice: on"),
                "bad.yaml:6: services[0].splice: applies only to tcp services (this service is udp)"));
        c.add(text("low above high water mark", service("writeBufferHighWaterMark: 32KiB\nwriteBufferLowWaterMark: 1MiB"),
                "bad.yaml:6: services[0].writeBufferLowWaterMark: 1048576 must be <= writeBufferHighWaterMark (32768)"));
        c.add(text("decimal size unit", service("writeBufferHighWaterMark: 32KB"),
                "services[0].writeBufferHighWaterMark: \"32KB\" is not a valid size"));
        c.add(text("datagram too large", udpService("maxDatagramSize: 70000"),
                "services[0].maxDatagramSize: 70000 is out of range (expected: 1..65507)"));
        c.add(text("too many connect attempts", service("maxConnectAttempts: 17"),
                "services[0].maxConnectAttempts: 17 is out of range (expected: 1..16)"));
        c.add(text("unresolvable host", serviceWithEndpoints("[nowhere.invalid:80]"),
                "bad.yaml:4: services[0].endpoints[0]: cannot resolve host 'nowhere.invalid'"));
        c.add(text("duplicate endpoint", serviceWithEndpoints("[127.0.0.1:1, backend.local:80, 127.0.0.1:1]"),
                "services[0].endpoints[2]: duplicate endpoint 127.0.0.1:1 (same as endpoints[0])"));
        c.add(text("endpoint of the wrong type", serviceWithEndpoints("[[127.0.0.1:1]]"),
                "services[0].endpoints[0]: expected \"ip:port\" or a mapping"));
        c.add(text("bad name", "services:\n  - {name: Demo_1, listen: '127.0.0.1:1', endpoints: []}\n",
                "bad.yaml:2: services[0].name: \"Demo_1\" is not a valid name"));
        c.add(text("missing required keys", "services:\n  - protocol: tcp\n",
                "bad.yaml:2: services[0].name: missing (required)", "services[0].listen: missing (required, unless nodeMode.enabled"));
        c.add(text("unknown discovery block", "discovery:\n  kubernets: {}\nservices: []\n",
                "bad.yaml:2: discovery.kubernets: unknown key (did you mean 'kubernetes'?)"));
        c.add(text("admin listen clash", "admin:\n  listen: 127.0.0.1:10080\n" + service(""),
                "services[0].listen: 127.0.0.1:10080 is already used by admin.listen"));
        c.add(text("alias bomb", """
                a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
                b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
                c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
                d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
                services: [*d]
                """, "bad.yaml:1:", "anchors and aliases"));
        c.add(text("alias to a service", service("") + "  - *x\n", "bad.yaml:", "anchors and aliases"));
        c.add(new Case("2 MiB file", ("# " + "x".repeat(2 << 20)).getBytes(StandardCharsets.UTF_8),
                List.of("bad.yaml: the file is larger than 1 MiB")));
        c.add(text("deep nesting", "services: " + "[".repeat(5000) + "]".repeat(5000) + "\n",
                "bad.yaml:1:", "nested too deeply"));
        c.add(text("empty file", "", "bad.yaml: the file is empty"));
        c.add(text("only comments", "# nothing here\n\n", "bad.yaml: the file is empty"));
        c.add(text("services not a list", "services:\n  name: a\n",
                "bad.yaml:1: services: expected a list (lines starting with '- '), got a mapping"));
        c.add(text("root is a list", "- a\n- b\n", "bad.yaml:1: the file must be a mapping"));
        c.add(text("root is a scalar", "hello\n", "the file must be a mapping with a 'services' list, got \"hello\""));
        c.add(text("missing services", "admin:\n  listen: 127.0.0.1:1\n", "bad.yaml: services: missing (required"));
        c.add(text("duplicate yaml key", "services: []\nservices: []\n", "bad.yaml:2: services: duplicate key (first at line 1)"));
        c.add(text("two documents", "services: []\n---\nservices: []\n", "more than one YAML document"));
        c.add(text("null endpoints", service("").replace("[127.0.0.1:18081]", ""),
                "bad.yaml:4: services[0].endpoints: expected a list, got nothing"));
        c.add(new Case("invalid utf-8", new byte[] {'s', 'e', 'r', 'v', 'i', 'c', 'e', 's', ':', ' ', '[', ']', '\n',
                '#', ' ', (byte) 0xC3, (byte) 0x28, '\n'}, List.of("bad.yaml:2: the file is not valid UTF-8")));
        c.add(text("node mode not a boolean", "nodeMode:\n  enabled: maybe\nservices: []\n",
                "bad.yaml:2: nodeMode.enabled: expected true or false, got \"maybe\""));
        c.add(text("node mode listen address with a port", "nodeMode:\n  listenAddress: 0.0.0.0:80\nservices: []\n",
                "bad.yaml:2: nodeMode.listenAddress: \"0.0.0.0:80\" is not a valid listen address"));
        c.add(text("node mode unknown key", "nodeMode:\n  enable: true\nservices: []\n",
                "bad.yaml:2: nodeMode.enable: unknown key (did you mean 'enabled'?)"));
        c.add(text("virtual address without a port", service("virtualAddress: 10.96.0.10"),
                "bad.yaml:5: services[0].virtualAddress: \"10.96.0.10\" is not a valid virtual address: the port is "
                        + "missing"));
        c.add(text("virtual address host name", service("virtualAddress: backend.local:80"),
                "bad.yaml:5: services[0].virtualAddress: \"backend.local:80\" is not a valid virtual address: the "
                        + "host must be an IP address"));
        c.add(text("virtual address wildcard", service("virtualAddress: 0.0.0.0:80"),
                "bad.yaml:5: services[0].virtualAddress: \"0.0.0.0:80\" is not a valid virtual address: a wildcard"));
        c.add(text("virtual address listed twice", service("virtualAddress: [10.96.0.10:80, 10.96.0.10:80]"),
                "bad.yaml:5: services[0].virtualAddress[1]: 10.96.0.10:80 is listed twice"));
        c.add(text("virtual address empty list", service("virtualAddress: []"),
                "bad.yaml:5: services[0].virtualAddress: empty list"));
        c.add(text("no listen outside node mode", "services:\n  - name: a\n    virtualAddress: 10.96.0.10:80\n",
                "bad.yaml:2: services[0].listen: missing (required, unless nodeMode.enabled and a virtualAddress "
                        + "is given)"));
        c.add(text("no listen and no virtual address in node mode",
                "nodeMode:\n  enabled: true\nservices:\n  - name: a\n    endpoints: []\n",
                "bad.yaml:4: services[0].listen: missing (required, unless"));
        c.add(text("virtual address used twice", """
                nodeMode: {enabled: true}
                services:
                  - name: a
                    virtualAddress: 10.96.0.10:80
                  - name: b
                    virtualAddress: [10.96.0.11:80, 10.96.0.10:80]
                """, "bad.yaml:6: services[1].virtualAddress: 10.96.0.10:80/tcp is already used by services[0] "
                + "(line 4)"));
        c.add(text("control characters", "services: []\nadmin: \"\u0001\"\n", "bad.yaml:2: control character U+0001"));
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejected(Case c) {
        ConfigLoader loader = new ConfigLoader(FAKE_DNS);
        assertThatThrownBy(() -> loader.parse(c.content(), "bad.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.errors()).isNotEmpty();
                    assertThat(e.getMessage()).contains(c.fragments());
                });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyErrorIsOneLine(Case c) {
        ConfigLoader loader = new ConfigLoader(FAKE_DNS);
        assertThatThrownBy(() -> loader.parse(c.content(), "bad.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e ->
                        assertThat(e.getMessage().lines()).hasSize(e.errors().size()));
    }
}
