package io.junction.agent.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Splits and checks {@code host:port} text. IP literals are turned into addresses here without any DNS query: IPv4
 * by a strict dotted-quad match (the JDK would also take legacy forms like {@code 127.1}), IPv6 only inside brackets.
 * Stateless and thread-safe.
 */
final class AddressFormat {
    static final String EXPECTED = "expected ip:port or [ipv6]:port, e.g. 127.0.0.1:10080";

    private static final String OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
    private static final String LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    private static final Pattern HOSTNAME = Pattern.compile(LABEL + "(\\." + LABEL + ")*\\.?");
    private static final Pattern PORT = Pattern.compile("\\d{1,5}");

    /** A split {@code host:port}; {@code bracketed} when the host was written as {@code [v6]}. */
    record HostPort(String host, int port, boolean bracketed) {
    }

    private AddressFormat() {
    }

    /** Splits {@code text}; throws {@link IllegalArgumentException} whose message says what is wrong. */
    static HostPort split(String text) {
        String host;
        String port;
        boolean bracketed = text.startsWith("[");
        if (bracketed) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("an IPv6 address in brackets must be followed by :port");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("the port is missing");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("an IPv6 address needs brackets, e.g. [::1]:8080");
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("the host is missing");
        }
        if (!PORT.matcher(port).matches()) {
            throw new IllegalArgumentException("the port '" + port + "' is not a number");
        }
        int p = Integer.parseInt(port);
        if (p < 1 || p > 65_535) {
            throw new IllegalArgumentException("port " + p + " is out of range (expected: 1..65535)");
        }
        return new HostPort(host, p, bracketed);
    }

    /** The address of an IP literal host, or null when {@code hp} names a host instead. */
    static InetAddress literal(HostPort hp) {
        try {
            if (hp.bracketed()) {
                // The brackets make the JDK parse an IPv6 literal or fail; it never falls back to DNS for them.
                return InetAddress.getByName("[" + hp.host() + "]");
            }
            if (IPV4.matcher(hp.host()).matches()) {
                return InetAddress.getByName(hp.host());
            }
            return null;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + hp.host() + "' is not a valid IPv6 address");
        }
    }

    /**
     * An IP literal with a port ({@code 10.0.0.1:80}, {@code [::1]:80}), never a host name: for addresses that must
     * not depend on DNS. Throws {@link IllegalArgumentException} whose message says what is wrong.
     */
    static InetSocketAddress ipAndPort(String text) {
        HostPort hp = split(text.trim());
        InetAddress ip = literal(hp);
        if (ip == null) {
            throw new IllegalArgumentException("the host must be an IP address");
        }
        return new InetSocketAddress(ip, hp.port());
    }

    /**
     * An IP literal without a port: a dotted quad or an IPv6 address, bare or in brackets. Throws
     * {@link IllegalArgumentException} whose message says what is wrong; never queries DNS.
     */
    static InetAddress ip(String text) {
        String host = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (host.indexOf(':') >= 0) {
            return literal(new HostPort(host, 0, true));
        }
        if (IPV4.matcher(host).matches()) {
            return literal(new HostPort(host, 0, false));
        }
        throw new IllegalArgumentException("'" + text + "' is not an IP address");
    }

    static boolean isHostName(String host) {
        return host.length() <= 253 && HOSTNAME.matcher(host).matches();
    }
}
