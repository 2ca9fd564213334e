package io.junction.core.forward.tcp;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.junction.core.lb.Backend;
import io.junction.core.lb.PickContext;
import io.junction.core.metrics.ProxyProtocolRejection;
import io.junction.core.model.Cidr;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.ProxyProtocolAccept;
import io.junction.core.model.ProxyProtocolSend;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.junction.core.state.ServiceListener;
import io.junction.core.testing.ProxyHeaderBackend;
import io.junction.core.testing.ProxyHeaderBackend.Header;
import io.junction.core.testing.TcpTestClient;
import io.junction.core.testing.TcpTestClient.Ending;
import io.junction.core.testing.TestHandles;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code acceptProxyProtocol}: a trusted peer's v1 or v2 header names the client for the backend (through a send-v2
 * header), for the access log and for the client-ip and maglev pickers; an untrusted peer is closed at once, a
 * malformed header at once, a silent peer at the timeout, each counted, and no backend is connected for any of them.
 */
class ProxyProtocolAcceptTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Logger ACCESS = (Logger) LoggerFactory.getLogger("junction.access");
    private static final ProxyProtocolAccept LOOPBACK_TRUSTED =
            new ProxyProtocolAccept(List.of(Cidr.parse("127.0.0.0/8")), Duration.ofSeconds(30));
    private static final TcpSettings ACCEPT_AND_SEND_V2 = TcpSettings.DEFAULTS
            .withAcceptProxyProtocol(LOOPBACK_TRUSTED).withProxyProtocol(ProxyProtocolSend.V2);
    private static TcpProxyFixture proxy;
    private static Level accessLevel;

    /** Captures the access log writer's output. */
    private static final class Capture extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    @BeforeAll
    static void start() {
        proxy = new TcpProxyFixture();
        accessLevel = ACCESS.getLevel();
        ACCESS.setLevel(Level.INFO);
    }

    @AfterAll
    static void stop() {
        proxy.close();
        ACCESS.setLevel(accessLevel);
        AccessLogWriter.INSTANCE.output(new FileOutputStream(FileDescriptor.out));
    }

    @AfterEach
    void closeListeners() {
        proxy.closeListeners();
    }

    @Test
    void aV1HeaderNamesTheClientForTheBackendAndTheAccessLog() throws Exception {
        Capture log = new Capture();
        AccessLogWriter.INSTANCE.output(log);
        try (ProxyHeaderBackend backend = new ProxyHeaderBackend("127.0.0.1")) {
            ServiceListener listener = proxy.bind(TestHandles.tcp(ACCEPT_AND_SEND_V2, List.of(backend.address())));
            try (Socket lb = TcpTestClient.connect(listener.localAddress())) {
                // The header and the first data in one segment: the bytes after the header reach the backend.
                lb.getOutputStream().write(ascii("PROXY TCP4 203.0.113.7 198.51.100.1 40000 443\r\nhello"));
                assertThat(TcpTestClient.readExactly(lb.getInputStream(), 5)).isEqualTo(ascii("hello"));
                TcpTestClient.assertEcho(lb, ascii("more"));
            }
            Header h = backend.next(WAIT);
            assertThat(h.version()).isEqualTo(HAProxyProtocolVersion.V2);
            assertThat(h.protocol()).isEqualTo(HAProxyProxiedProtocol.TCP4);
            assertThat(h.sourceAddress()).isEqualTo("203.0.113.7");
            assertThat(h.sourcePort()).isEqualTo(40000);
            assertThat(h.destinationAddress()).isEqualTo("198.51.100.1");
            assertThat(h.destinationPort()).isEqualTo(443);
        }
        await().atMost(WAIT).until(() -> log.text().contains(" access "));
        assertThat(log.text()).contains("client=203.0.113.7:40000 ").contains("bytes_in=9 bytes_out=9 ")
                .contains("result=ok");
    }

    @Test
    void aV2HeaderWithAnIpv6ClientIsPassedOnAsIs() throws Exception {
        try (ProxyHeaderBackend backend = new ProxyHeaderBackend("127.0.0.1")) {
            ServiceListener listener = proxy.bind(TestHandles.tcp(ACCEPT_AND_SEND_V2, List.of(backend.address())));
            try (Socket lb = TcpTestClient.connect(listener.localAddress())) {
                lb.getOutputStream().write(v2(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
                        HAProxyProxiedProtocol.TCP6, "2001:db8::7", "2001:db8::1", 51000, 8443)));
                TcpTestClient.assertEcho(lb, ascii("v2 data"));
            }
            Header h = backend.next(WAIT);
            assertThat(h.protocol()).isEqualTo(HAProxyProxiedProtocol.TCP6);
            assertThat(InetAddress.getByName(h.sourceAddress())).isEqualTo(InetAddress.getByName("2001:db8::7"));
            assertThat(h.sourcePort()).isEqualTo(51000);
            assertThat(InetAddress.getByName(h.destinationAddress()))
                    .isEqualTo(InetAddress.getByName("2001:db8::1"));
            assertThat(h.destinationPort()).isEqualTo(8443);
        }
    }

    @Test
    void aV2LocalCommandKeepsTheRealPeerAsTheClient() throws Exception {
        try (ProxyHeaderBackend backend = new ProxyHeaderBackend("127.0.0.1")) {
            ServiceListener listener = proxy.bind(TestHandles.tcp(ACCEPT_AND_SEND_V2, List.of(backend.address())));
            try (Socket lb = TcpTestClient.connect(listener.localAddress())) {
                lb.getOutputStream().write(v2(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.LOCAL,
                        HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0)));
                TcpTestClient.assertEcho(lb, ascii("health"));
                Header h = backend.next(WAIT);
                assertThat(h.command()).isEqualTo(HAProxyCommand.PROXY);
                assertThat(h.sourceAddress()).isEqualTo("127.0.0.1");
                assertThat(h.sourcePort()).isEqualTo(lb.getLocalPort());
                assertThat(h.destinationPort()).isEqualTo(listener.localAddress().getPort());
            }
        }
    }

    @Test
    void aV1UnknownHeaderKeepsTheRealPeerAsTheClient() throws Exception {
        try (ProxyHeaderBackend backend = new ProxyHeaderBackend("127.0.0.1")) {
            ServiceListener listener = proxy.bind(TestHandles.tcp(ACCEPT_AND_SEND_V2, List.of(backend.address())));
            try (Socket lb = TcpTestClient.connect(listener.localAddress())) {
                lb.getOutputStream().write(ascii("PROXY UNKNOWN\r\n"));
                TcpTestClient.assertEcho(lb, ascii("unknown"));
                Header h = backend.next(WAIT);
                assertThat(h.sourceAddress()).isEqualTo("127.0.0.1");
                assertThat(h.sourcePort()).isEqualTo(lb.getLocalPort());
            }
        }
    }

    @Test
    void anUntrustedPeerIsClosedAtOnceAndCounted() throws Exception {
        Capture log = new Capture();
        AccessLogWriter.INSTANCE.output(log);
        ProxyProtocolAccept elsewhere = new ProxyProtocolAccept(List.of(Cidr.parse("10.0.0.0/8")),
                Duration.ofSeconds(30));
        try (ProxyHeaderBackend backend = new ProxyHeaderBackend("127.0.0.1")) {
            ServiceHandle handle = TestHandles.tcp(TcpSettings.DEFAULTS.withAcceptProxyProtocol(elsewhere),
                    List.of(backend.address()));
            ServiceListener listener = proxy.bind(handle);
            try (Socket peer = TcpTestClient.connect(listener.localAddress())) {
                // Even a well-formed header: an untrusted peer could claim any address.
                peer.getOutputStream().write(ascii("PROXY TCP4 203.0.113.7 198.51.100.1 40000 443\r\n"));
                assertThat(TcpTestClient.awaitEnd(peer, Duration.ofSeconds(3))).isNotEqualTo(Ending.TIMEOUT);
            }
            assertThat(handle.metrics().proxyProtocolRejected(ProxyProtocolRejection.UNTRUSTED)).isEqualTo(1);
            assertThat(handle.metrics().connectionsAccepted()).isZero();
            assertThat(backend.accepted()).isZero();
        }
        await().atMost(WAIT).until(() -> log.text().contains("result=rejected reason=proxy_protocol_untrusted"));
    }

    @Test
    void malformedHeadersAreClosedAtOnceAndCounted() throws Exception {
        List<byte[]> malformed = List.of(
                ascii("GET / HTTP/1.1\r\nHost: example\r\n\r\n"), // not a header at all
                ascii("hi\r\n"), // fewer bytes than Netty's decoder looks at: refused on its first byte
                ascii("PROXY TCP4 203.0.113.999 198.51.100.1 40000 443\r\n"), // a bad address
                ascii("PROXY TCP9 1.2.3.4 5.6.7.8 1 2\r\n"), // a bad protocol
                ascii("PROXX TCP4 1.2.3.4 5.6.7.8 1 2\r\n")); // a bad signature
        try (ProxyHeaderBackend backend = new ProxyHeaderBackend("127.0.0.1")) {
            ServiceHandle handle = TestHandles.tcp(ACCEPT_AND_SEND_V2, List.of(backend.address()));
            ServiceListener listener = proxy.bind(handle);
            for (byte[] bytes : malformed) {
                try (Socket peer = TcpTestClient.connect(listener.localAddress())) {
                    peer.getOutputStream().write(bytes);
                    // The timeout is 30 s: closed well before it means closed for the header.
                    assertThat(TcpTestClient.awaitEnd(peer, Duration.ofSeconds(3)))
                            .as(new String(bytes, StandardCharsets.US_ASCII)).isNotEqualTo(Ending.TIMEOUT);
                }
            }
            await().atMost(WAIT).until(() ->
                    handle.metrics().proxyProtocolRejected(ProxyProtocolRejection.MALFORMED) == malformed.size());
            assertThat(handle.metrics().proxyProtocolRejected(ProxyProtocolRejection.TIMEOUT)).isZero();
            assertThat(backend.accepted()).isZero();
            await().atMost(WAIT).until(() -> listenerActive(listener) == 0);
        }
    }

    @Test
    void aSilentPeerIsClosedAtTheTimeoutAndCounted() throws Exception {
        Duration timeout = Duration.ofMillis(500);
        TcpSettings tcp = TcpSettings.DEFAULTS.withAcceptProxyProtocol(
                new ProxyProtocolAccept(LOOPBACK_TRUSTED.trustedCidrs(), timeout));
        try (ProxyHeaderBackend backend = new ProxyHeaderBackend("127.0.0.1")) {
            ServiceHandle handle = TestHandles.tcp(tcp, List.of(backend.address()));
            ServiceListener listener = proxy.bind(handle);
            try (Socket silent = TcpTestClient.connect(listener.localAddress());
                 Socket partial = TcpTestClient.connect(listener.localAddress())) {
                partial.getOutputStream().write(ascii("PROXY TCP4 1.2.3.4"));
                assertThat(TcpTestClient.awaitEnd(silent, timeout.plusSeconds(1))).isNotEqualTo(Ending.TIMEOUT);
                assertThat(TcpTestClient.awaitEnd(partial, timeout.plusSeconds(1))).isNotEqualTo(Ending.TIMEOUT);
            }
            assertThat(handle.metrics().proxyProtocolRejected(ProxyProtocolRejection.TIMEOUT)).isEqualTo(2);
            assertThat(handle.metrics().proxyProtocolRejected(ProxyProtocolRejection.MALFORMED)).isZero();
            assertThat(backend.accepted()).isZero();
            await().atMost(WAIT).until(() -> listenerActive(listener) == 0);
        }
    }

    @Test
    void clientIpAffinityPinsByTheHeadersAddress() throws Exception {
        assertPickedByHeaderAddress(LbPolicy.CLIENT_IP);
    }

    @Test
    void maglevHashesTheHeadersAddress() throws Exception {
        assertPickedByHeaderAddress(LbPolicy.MAGLEV);
    }

    /**
     * Sixteen header addresses, each sent twice over connections from the same real client: each address stays on
     * one backend, the addresses spread over several, and with maglev each lands where the picker puts that address.
     */
    private static void assertPickedByHeaderAddress(LbPolicy lb) throws Exception {
        List<ProxyHeaderBackend> backends = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                backends.add(new ProxyHeaderBackend("127.0.0.1"));
            }
            ServiceHandle handle = TestHandles.handle(TestHandles.tcpSpec("svc", ACCEPT_AND_SEND_V2).withLb(lb),
                    backends.stream().map(ProxyHeaderBackend::address).toList());
            ServiceListener listener = proxy.bind(handle);
            Map<String, Set<Integer>> backendsByClient = new HashMap<>();
            for (int round = 0; round < 2; round++) {
                for (int c = 1; c <= 16; c++) {
                    String client = "198.51.100." + c;
                    int chosen = sendThrough(listener, backends, client);
                    backendsByClient.computeIfAbsent(client, k -> new HashSet<>()).add(chosen);
                    if (lb == LbPolicy.MAGLEV) {
                        Backend expected = handle.current().picker().pick(new PickContext(InetAddress.getByName(client)));
                        assertThat(backends.get(chosen).address()).isEqualTo(expected.address());
                    }
                }
            }
            assertThat(backendsByClient.values()).allSatisfy(chosen -> assertThat(chosen).hasSize(1));
            Set<Integer> used = new HashSet<>();
            backendsByClient.values().forEach(used::addAll);
            assertThat(used).as("backends the 16 header addresses went to").hasSizeGreaterThan(1);
        } finally {
            backends.forEach(ProxyHeaderBackend::close);
        }
    }

    /** One connection whose header names {@code client}; returns the index of the backend it reached. */
    private static int sendThrough(ServiceListener listener, List<ProxyHeaderBackend> backends, String client)
            throws Exception {
        try (Socket lb = TcpTestClient.connect(listener.localAddress())) {
            lb.getOutputStream().write(ascii("PROXY TCP4 " + client + " 192.0.2.1 40000 80\r\n"));
            TcpTestClient.assertEcho(lb, ascii("x"));
        }
        for (int i = 0; i < backends.size(); i++) {
            if (backends.get(i).pending() > 0) {
                Header h = backends.get(i).next(WAIT);
                assertThat(h.sourceAddress()).isEqualTo(client);
                return i;
            }
        }
        throw new AssertionError("no backend received a header for " + client);
    }

    private static int listenerActive(ServiceListener listener) {
        return ((TcpListener) listener).activeConnections();
    }

    private static byte[] v2(HAProxyMessage message) {
        EmbeddedChannel ch = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        ch.writeOutbound(message);
        ByteBuf out = ch.readOutbound();
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        out.release();
        ch.finishAndReleaseAll();
        return bytes;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
