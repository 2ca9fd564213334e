package io.junction.core.forward.tcp;

import io.junction.core.forward.Transports;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.ProxyProtocolSend;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServiceSpec;
import io.junction.core.model.SpliceMode;
import io.junction.core.model.TcpSettings;
import io.junction.core.state.ServiceHandle;
import io.junction.core.state.ServiceListener;
import io.junction.core.state.ServiceSnapshot;
import io.junction.core.testing.ProxyHeaderBackend;
import io.junction.core.testing.ProxyHeaderBackend.Header;
import io.junction.core.testing.TcpTestClient;
import io.junction.core.testing.TestHandles;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code proxyProtocol: send-v1 | send-v2}: the backend, decoding with Netty's decoder, reads a header naming the real
 * client (address and port of the client's socket) and the address it connected to (the listener's), before any
 * client byte, and even when the client sends nothing; over IPv4 and IPv6; with splice the bytes after the header
 * are still spliced.
 */
class ProxyProtocolSendTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static TcpProxyFixture proxy;

    @BeforeAll
    static void start() {
        proxy = new TcpProxyFixture();
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @AfterEach
    void closeListeners() {
        proxy.closeListeners();
    }

    @Test
    void sendV1OverIpv4NamesTheClientAndTheListener() throws Exception {
        assertHeaderNamesTheClient("127.0.0.1", ProxyProtocolSend.V1, HAProxyProtocolVersion.V1,
                HAProxyProxiedProtocol.TCP4);
    }

    @Test
    void sendV2OverIpv4NamesTheClientAndTheListener() throws Exception {
        assertHeaderNamesTheClient("127.0.0.1", ProxyProtocolSend.V2, HAProxyProtocolVersion.V2,
                HAProxyProxiedProtocol.TCP4);
    }

    @Test
    void sendV1OverIpv6NamesTheClientAndTheListener() throws Exception {
        assumeIpv6Loopback();
        assertHeaderNamesTheClient("::1", ProxyProtocolSend.V1, HAProxyProtocolVersion.V1,
                HAProxyProxiedProtocol.TCP6);
    }

    @Test
    void sendV2OverIpv6NamesTheClientAndTheListener() throws Exception {
        assumeIpv6Loopback();
        assertHeaderNamesTheClient("::1", ProxyProtocolSend.V2, HAProxyProtocolVersion.V2,
                HAProxyProxiedProtocol.TCP6);
    }

    @Test
    void aReloadThatTurnsItOnAppliesToTheNextConnection() throws Exception {
        try (ProxyHeaderBackend backend = new ProxyHeaderBackend("127.0.0.1")) {
            ServiceHandle handle = TestHandles.tcp(List.of(backend.address()));
            ServiceListener listener = proxy.bind(handle);
            try (Socket before = TcpTestClient.connect(listener.localAddress())) {
                // No header: the backend reads the client's first bytes as one, and finds them malformed.
                before.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(TcpTestClient.awaitEnd(before, WAIT)).isNotEqualTo(TcpTestClient.Ending.TIMEOUT);
            }
            // Netty's decoder closes before it reports the bad header: the count may trail the close a little.
            await().atMost(WAIT).until(() -> backend.malformed() == 1);
            ServiceSnapshot current = handle.current();
            handle.publish(TestHandles.snapshot(current.spec().withTcp(current.spec().tcp()
                    .withProxyProtocol(ProxyProtocolSend.V1)), current.eligible(), current));
            try (Socket after = TcpTestClient.connect(listener.localAddress())) {
                Header h = backend.next(WAIT);
                assertThat(h.version()).isEqualTo(HAProxyProtocolVersion.V1);
                assertThat(h.sourcePort()).isEqualTo(after.getLocalPort());
                TcpTestClient.assertEcho(after, "after the reload".getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void bytesAfterTheHeaderAreStillSpliced() throws Exception {
        assumeThat(Transports.epoll()).as("splice needs the native epoll transport").isTrue();
        try (ProxyHeaderBackend backend = new ProxyHeaderBackend("127.0.0.1")) {
            TcpSettings tcp = TcpSettings.DEFAULTS.withProxyProtocol(ProxyProtocolSend.V2).withSplice(SpliceMode.ON);
            ServiceHandle handle = TestHandles.tcp(tcp, List.of(backend.address()));
            ServiceListener listener = proxy.bind(handle);
            byte[] payload = new byte[4 * 1024 * 1024];
            new Random(7).nextBytes(payload);
            try (Socket client = TcpTestClient.connect(listener.localAddress())) {
                Thread writer = new Thread(() -> {
                    try {
                        client.getOutputStream().write(payload);
                    } catch (IOException e) {
                        // the read below fails then
                    }
                });
                writer.start();
                byte[] back = TcpTestClient.readExactly(client.getInputStream(), payload.length);
                writer.join(WAIT.toMillis());
                assertThat(back).isEqualTo(payload);
                Header h = backend.next(WAIT);
                assertThat(h.sourcePort()).isEqualTo(client.getLocalPort());
            }
            assertThat(handle.metrics().splicedConnections()).isEqualTo(1);
        }
    }

    private static void assertHeaderNamesTheClient(String host, ProxyProtocolSend send,
                                                   HAProxyProtocolVersion version, HAProxyProxiedProtocol protocol)
            throws Exception {
        try (ProxyHeaderBackend backend = new ProxyHeaderBackend(host)) {
            ServiceSpec spec = ServiceSpec.of(ServiceKey.of("svc", Protocol.TCP), new InetSocketAddress(host, 0),
                    LbPolicy.ROUND_ROBIN).withTcp(TcpSettings.DEFAULTS.withProxyProtocol(send));
            ServiceListener listener = proxy.bind(TestHandles.handle(spec, List.of(backend.address())));
            try (Socket client = TcpTestClient.connect(listener.localAddress())) {
                // The header comes first, before the client says anything (a server-first protocol needs that).
                Header h = backend.next(WAIT);
                assertThat(h.version()).isEqualTo(version);
                assertThat(h.command()).isEqualTo(HAProxyCommand.PROXY);
                assertThat(h.protocol()).isEqualTo(protocol);
                assertThat(InetAddress.getByName(h.sourceAddress())).isEqualTo(client.getLocalAddress());
                assertThat(h.sourcePort()).isEqualTo(client.getLocalPort());
                assertThat(InetAddress.getByName(h.destinationAddress())).isEqualTo(client.getInetAddress());
                assertThat(h.destinationPort()).isEqualTo(listener.localAddress().getPort());
                TcpTestClient.assertEcho(client, "after the header".getBytes());
            }
            assertThat(backend.malformed()).isZero();
            assertThat(backend.pending()).isZero();
        }
    }

    static void assumeIpv6Loopback() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            assumeThat(s.getLocalPort()).isPositive();
        } catch (IOException e) {
            assumeThat(false).as("no IPv6 loopback here: " + e.getMessage()).isTrue();
        }
    }
}
