package io.junction.reliability.traffic;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The PROXY protocol headers of scenario 23, well-formed and not, each with what the agent must do with it (HAProxy's
 * doc/proxy-protocol.txt for the formats; docs/configuration.md, "PROXY protocol", for the agent's answers). Every
 * case of one round gets its own claimed client port, so the backend's view of each can be matched to it.
 */
public final class ProxyHeaderCases {
    /** What the agent must do with a case. */
    public enum Expect {
        /** Forwarded; the backend's header names {@link Case#client()}. */
        FORWARDED,
        /** Closed at once, counted {@code malformed}. */
        MALFORMED,
        /** Closed at the timeout, counted {@code timeout}. */
        TIMEOUT,
        /** The peer leaves (FIN) part way: closed, counted nowhere. */
        LEFT,
        /** From a peer outside {@code trustedCidrs}: closed at accept, counted {@code untrusted}. */
        UNTRUSTED
    }

    /**
     * One connection's script.
     *
     * @param name        what it is, for the report
     * @param expect      what the agent must do
     * @param pieces      the bytes sent, one write each
     * @param pauseMillis the pause between two pieces
     * @param client      the client address the backend must see (FORWARDED): an ip, or null for the peer itself
     * @param clientPort  its port (FORWARDED with a named client)
     */
    public record Case(String name, Expect expect, List<byte[]> pieces, long pauseMillis, String client,
                       int clientPort) {
    }

    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private ProxyHeaderCases() {
    }

    /**
     * The cases of round {@code round}: a claimed client port is {@code 20000 + round * 100 + index}, so rounds below
     * 400 never repeat one. {@code slowPauseMillis} paces a header split into pieces within the timeout,
     * {@code stallPauseMillis} one byte at a time past it.
     */
    public static List<Case> round(int round, long slowPauseMillis, long stallPauseMillis) {
        int base = 20_000 + round * 100;
        List<Case> c = new ArrayList<>();
        // Well-formed, from the trusted peer.
        c.add(forwarded("v1 TCP4", List.of(v1("TCP4 203.0.113.7 192.0.2.1 " + (base + 1) + " 80")), 0,
                "203.0.113.7", base + 1));
        c.add(forwarded("v1 TCP4 in 4 slow writes", split(v1("TCP4 203.0.113.8 192.0.2.1 " + (base + 2) + " 80"), 4),
                slowPauseMillis, "203.0.113.8", base + 2));
        c.add(forwarded("v1 TCP6", List.of(v1("TCP6 2001:db8::9 2001:db8::1 " + (base + 3) + " 443")), 0,
                "2001:db8::9", base + 3));
        c.add(forwarded("v2 TCP4", List.of(v2(0x21, 0x11, addresses("198.51.100.4", "192.0.2.1", base + 4, 80))), 0,
                "198.51.100.4", base + 4));
        c.add(forwarded("v2 TCP6 in 3 slow writes", split(v2(0x21, 0x21, addresses("2001:db8::5", "2001:db8::1",
                base + 5, 443)), 3), slowPauseMillis, "2001:db8::5", base + 5));
        // A load balancer's own health check: the peer stays the client.
        c.add(forwarded("v2 LOCAL", List.of(v2(0x20, 0x00, new byte[0])), 0, null, 0));

        // Malformed, from the trusted peer.
        c.add(bad("v1 bad signature", v1Raw("PROXZ TCP4 203.0.113.7 192.0.2.1 1000 80\r\n")));
        byte[] sig = v2(0x21, 0x11, addresses("198.51.100.4", "192.0.2.1", 1000, 80));
        sig[7] = 0x52;
        c.add(bad("v2 bad signature (byte 8)", sig));
        c.add(bad("v1 line over 107 bytes, no CRLF", v1Raw("PROXY TCP4 " + "1".repeat(300))));
        c.add(bad("v1 non-numeric ports", v1("TCP4 203.0.113.7 192.0.2.1 http 80")));
        c.add(bad("v1 port 65536", v1("TCP4 203.0.113.7 192.0.2.1 65536 80")));
        c.add(bad("v1 TCP4 with IPv6 addresses", v1("TCP4 2001:db8::9 2001:db8::1 1000 80")));
        c.add(bad("v1 address 203.0.113.300", v1("TCP4 203.0.113.300 192.0.2.1 1000 80")));
        c.add(bad("v1 missing ports", v1("TCP4 203.0.113.7 192.0.2.1")));
        c.add(bad("v1 protocol SCTP4", v1("SCTP4 203.0.113.7 192.0.2.1 1000 80")));
        c.add(bad("v2 version 3", v2(0x31, 0x11, addresses("198.51.100.4", "192.0.2.1", 1000, 80))));
        c.add(bad("v2 command 15", v2(0x2F, 0x11, addresses("198.51.100.4", "192.0.2.1", 1000, 80))));
        c.add(bad("v2 TCP4 with length 4", v2(0x21, 0x11, new byte[] {(byte) 198, 51, 100, 4})));
        c.add(bad("v2 address family 4", v2(0x21, 0x41, addresses("198.51.100.4", "192.0.2.1", 1000, 80))));

        // Never a whole header, from the trusted peer.
        byte[] v1 = v1("TCP4 203.0.113.7 192.0.2.1 1000 80");
        byte[] v2 = v2(0x21, 0x11, addresses("198.51.100.4", "192.0.2.1", 1000, 80));
        c.add(new Case("silent peer", Expect.TIMEOUT, List.of(), 0, null, 0));
        c.add(new Case("v1 truncated, then silence", Expect.TIMEOUT, List.of(Arrays.copyOf(v1, 20)), 0, null, 0));
        c.add(new Case("v2 truncated (length 12, 6 sent), then silence", Expect.TIMEOUT,
                List.of(Arrays.copyOf(v2, 22)), 0, null, 0));
        c.add(new Case("v1 one byte at a time, past the timeout", Expect.TIMEOUT, split(v1, v1.length),
                stallPauseMillis, null, 0));
        c.add(new Case("v1 truncated, then FIN", Expect.LEFT, List.of(Arrays.copyOf(v1, 20)), 0, null, 0));

        // Well-formed, from a peer outside trustedCidrs.
        c.add(new Case("untrusted peer, v1", Expect.UNTRUSTED, List.of(v1), 0, null, 0));
        c.add(new Case("untrusted peer, v2", Expect.UNTRUSTED, List.of(v2), 0, null, 0));
        return c;
    }

    private static Case forwarded(String name, List<byte[]> pieces, long pause, String client, int port) {
        return new Case(name, Expect.FORWARDED, pieces, pause, client, port);
    }

    private static Case bad(String name, byte[] header) {
        return new Case(name, Expect.MALFORMED, List.of(header), 0, null, 0);
    }

    private static byte[] v1(String rest) {
        return v1Raw("PROXY " + rest + "\r\n");
    }

    private static byte[] v1Raw(String line) {
        return line.getBytes(StandardCharsets.US_ASCII);
    }

    /** A v2 header: signature, version and command, family and protocol, length, then {@code body}. */
    private static byte[] v2(int versionCommand, int family, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(V2_SIGNATURE);
        out.write(versionCommand);
        out.write(family);
        out.write(body.length >> 8);
        out.write(body.length & 0xFF);
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** The address block of a v2 TCP4 or TCP6 header (the family follows from the literals). */
    private static byte[] addresses(String src, String dst, int srcPort, int dstPort) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(literal(src));
        out.writeBytes(literal(dst));
        out.write(srcPort >> 8);
        out.write(srcPort & 0xFF);
        out.write(dstPort >> 8);
        out.write(dstPort & 0xFF);
        return out.toByteArray();
    }

    private static byte[] literal(String ip) {
        try {
            return InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("ip: " + ip + " (expected: a literal)", e);
        }
    }

    /** {@code bytes} in {@code n} pieces of about equal size. */
    private static List<byte[]> split(byte[] bytes, int n) {
        List<byte[]> pieces = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pieces.add(Arrays.copyOfRange(bytes, bytes.length * i / n, bytes.length * (i + 1) / n));
        }
        return pieces;
    }
}
