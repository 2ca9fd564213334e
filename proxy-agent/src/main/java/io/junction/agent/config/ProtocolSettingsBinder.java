package io.junction.agent.config;

import io.junction.core.model.Cidr;
import io.junction.core.model.ConnectionRateLimit;
import io.junction.core.model.ProxyProtocolAccept;
import io.junction.core.model.ProxyProtocolSend;
import io.junction.core.model.SpliceMode;
import io.junction.core.model.TcpSettings;
import io.junction.core.model.UdpSettings;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.junction.agent.config.FieldReader.MAX_DURATION;
import static io.junction.agent.config.FieldReader.child;
import static io.junction.agent.config.FieldReader.optional;

/**
 * Reads the TCP or UDP settings keys of a service (or of the {@code defaults} section) over a base: the config's
 * {@code defaults}, themselves over {@link TcpSettings#DEFAULTS} and {@link UdpSettings#DEFAULTS}. On any error it
 * records it and returns the base (the service is then dropped by its caller). Confined to the thread doing the load.
 */
final class ProtocolSettingsBinder {
    static final int MIN_HIGH_WATER_MARK = 1024;
    static final int MAX_WATER_MARK = 64 * 1024 * 1024;

    static final List<String> ACCEPT_PROXY_PROTOCOL_KEYS = List.of("trustedCidrs", "timeout");
    static final List<String> CONNECTION_RATE_LIMIT_KEYS = List.of("perSource", "burst");
    /** {@code 100/s}, {@code 30/m}, {@code 0.5/s}. */
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*/\\s*([smh])");

    private final FieldReader fields;

    ProtocolSettingsBinder(FieldReader fields) {
        this.fields = fields;
    }

    /** The TCP keys of {@code s} over {@code d}; {@code d} itself on any error. */
    TcpSettings tcp(YamlNode s, String path, TcpSettings d) {
        int before = fields.problems().count();
        Duration connect = optional(s, "connectTimeout", d.connectTimeout(),
                (n, p) -> fields.duration(n, p, false, MAX_DURATION), path);
        Integer attempts = optional(s, "maxConnectAttempts", d.maxConnectAttempts(),
                (n, p) -> fields.integer(n, p, 1, 16), path);
        Duration idle = optional(s, "idleTimeout", d.idleTimeout(),
                (n, p) -> fields.duration(n, p, true, MAX_DURATION), path);
        Integer maxConnections = optional(s, "maxConnections", d.maxConnections(),
                (n, p) -> fields.integer(n, p, 1, 10_000_000), path);
        Duration drain = optional(s, "drainTimeout", d.drainTimeout(),
                (n, p) -> fields.duration(n, p, true, MAX_DURATION), path);
        Integer high = optional(s, "writeBufferHighWaterMark", d.writeBufferHighWaterMark(),
                (n, p) -> fields.size(n, p, MIN_HIGH_WATER_MARK, MAX_WATER_MARK), path);
        Integer low = optional(s, "writeBufferLowWaterMark", null,
                (n, p) -> fields.size(n, p, 1, MAX_WATER_MARK), path);
        SpliceMode splice = optional(s, "splice", d.splice(), this::splice, path);
        ProxyProtocolSend send = optional(s, "proxyProtocol", d.proxyProtocol(), this::proxyProtocol, path);
        ProxyProtocolAccept accept = optional(s, "acceptProxyProtocol", d.acceptProxyProtocol(),
                this::acceptProxyProtocol, path);
        ConnectionRateLimit rate = optional(s, "connectionRateLimit", d.connectionRateLimit(),
                this::connectionRateLimit, path);
        if (high != null && low == null && s.field("writeBufferLowWaterMark") == null) {
            // Only the high mark given: keep the default low mark unless it would sit above the new high mark.
            low = Math.min(d.writeBufferLowWaterMark(), high / 2);
        }
        if (high != null && low != null && low > high) {
            fields.problems().add(s.field("writeBufferLowWaterMark"), child(path, "writeBufferLowWaterMark"),
                    low + " must be <= writeBufferHighWaterMark (" + high + ")");
        }
        if (fields.problems().count() != before) {
            return d;
        }
        try {
            return new TcpSettings(connect, attempts, idle, maxConnections, drain, high, low, splice, send, accept,
                    rate);
        } catch (IllegalArgumentException e) {
            fields.problems().add(s, path, e.getMessage());
            return d;
        }
    }

    /**
     * {@code off}, {@code on} or {@code auto}. A YAML 1.1 reader would type bare {@code on}/{@code off} as booleans, so
     * {@code true}/{@code false} are taken as {@code on}/{@code off} too.
     */
    private SpliceMode splice(YamlNode n, String p) {
        if (n.kind() == YamlNode.Kind.BOOL) {
            return Boolean.parseBoolean(n.text()) ? SpliceMode.ON : SpliceMode.OFF;
        }
        if (n.kind() == YamlNode.Kind.STRING) {
            try {
                return SpliceMode.parse(n.text());
            } catch (IllegalArgumentException e) {
                // reported below
            }
        }
        String got = n.kind() == YamlNode.Kind.NULL ? "nothing" : n.describe();
        fields.problems().add(n, p, got + " is not a valid splice mode (expected one of: off, on, auto)");
        return null;
    }

    /** {@code off}, {@code send-v1} or {@code send-v2} ({@code false}: off, as a YAML 1.1 reader would type it). */
    private ProxyProtocolSend proxyProtocol(YamlNode n, String p) {
        if (n.kind() == YamlNode.Kind.BOOL && !Boolean.parseBoolean(n.text())) {
            return ProxyProtocolSend.OFF;
        }
        if (n.kind() == YamlNode.Kind.STRING) {
            try {
                return ProxyProtocolSend.parse(n.text());
            } catch (IllegalArgumentException e) {
                // reported below
            }
        }
        String got = n.kind() == YamlNode.Kind.NULL ? "nothing" : n.describe();
        fields.problems().add(n, p, got + " is not a valid proxyProtocol (expected one of: off, send-v1, send-v2)");
        return null;
    }

    /**
     * {@code {trustedCidrs: [..], timeout: 3s}}, or {@code off} ({@code false}) to turn off what {@code defaults} set.
     * {@code trustedCidrs} is required and not empty: every connection must come from a peer allowed to name a
     * client, or be refused.
     */
    private ProxyProtocolAccept acceptProxyProtocol(YamlNode n, String p) {
        boolean off = (n.kind() == YamlNode.Kind.BOOL && !Boolean.parseBoolean(n.text()))
                || (n.kind() == YamlNode.Kind.STRING && n.text().trim().equals("off"));
        if (off) {
            return ProxyProtocolAccept.OFF;
        }
        if (n.kind() != YamlNode.Kind.MAP) {
            String got = n.kind() == YamlNode.Kind.NULL ? "nothing" : n.describe();
            fields.problems().add(n, p, "expected a mapping {trustedCidrs: [..], timeout: 3s} or off, got " + got);
            return null;
        }
        fields.rejectUnknownKeys(n, p, ACCEPT_PROXY_PROTOCOL_KEYS);
        YamlNode cidrsNode = n.field("trustedCidrs");
        List<Cidr> cidrs = null;
        if (cidrsNode == null) {
            fields.problems().add(n, child(p, "trustedCidrs"), "missing (required: the load balancers or proxies "
                    + "allowed to send a PROXY protocol header, e.g. [10.0.0.0/8])");
        } else {
            cidrs = fields.cidrs(cidrsNode, child(p, "trustedCidrs"), "an empty list would refuse every connection; "
                    + "use acceptProxyProtocol: off to accept connections without a header");
        }
        Duration timeout = optional(n, "timeout", ProxyProtocolAccept.DEFAULT_TIMEOUT,
                (t, tp) -> fields.duration(t, tp, false, ProxyProtocolAccept.MAX_TIMEOUT), p);
        if (cidrs == null || timeout == null) {
            return null;
        }
        return new ProxyProtocolAccept(cidrs, timeout);
    }

    /**
     * {@code {perSource: 100/s, burst: 200}} or {@code off}. The burst defaults to one second's worth of the rate
     * (at least 1).
     */
    private ConnectionRateLimit connectionRateLimit(YamlNode n, String p) {
        boolean off = (n.kind() == YamlNode.Kind.BOOL && !Boolean.parseBoolean(n.text()))
                || (n.kind() == YamlNode.Kind.STRING && n.text().trim().equals("off"));
        if (off) {
            return ConnectionRateLimit.OFF;
        }
        if (n.kind() != YamlNode.Kind.MAP) {
            String got = n.kind() == YamlNode.Kind.NULL ? "nothing" : n.describe();
            fields.problems().add(n, p, "expected a mapping {perSource: 100/s, burst: 200} or off, got " + got);
            return null;
        }
        fields.rejectUnknownKeys(n, p, CONNECTION_RATE_LIMIT_KEYS);
        YamlNode rateNode = n.field("perSource");
        if (rateNode == null) {
            fields.problems().add(n, child(p, "perSource"), "missing (required: new connections per client address, "
                    + "e.g. 100/s)");
            return null;
        }
        Double perSecond = rate(rateNode, child(p, "perSource"));
        Integer burst = optional(n, "burst", perSecond == null ? 1 : (int) Math.max(1, Math.ceil(perSecond)),
                (b, bp) -> fields.integer(b, bp, 1, ConnectionRateLimit.MAX_BURST), p);
        if (perSecond == null || burst == null) {
            return null;
        }
        return new ConnectionRateLimit(perSecond, burst);
    }

    /** A rate such as {@code 100/s}, {@code 30/m} or {@code 600/h}, in connections per second. */
    private Double rate(YamlNode n, String p) {
        Matcher m = n.kind() == YamlNode.Kind.STRING ? RATE.matcher(n.text().trim().toLowerCase(Locale.ROOT)) : null;
        if (m == null || !m.matches()) {
            fields.problems().add(n, p, "expected a rate such as 100/s, 30/m or 600/h, got " + n.describe());
            return null;
        }
        double count = Double.parseDouble(m.group(1));
        double perSecond = count / switch (m.group(2)) {
            case "s" -> 1;
            case "m" -> 60;
            default -> 3600;
        };
        if (!(perSecond > 0) || perSecond > ConnectionRateLimit.MAX_PER_SECOND) {
            fields.problems().add(n, p, n.describe() + " out of range (expected: > 0 and <= "
                    + (long) ConnectionRateLimit.MAX_PER_SECOND + "/s)");
            return null;
        }
        return perSecond;
    }

    /** The UDP keys of {@code s} over {@code d}; {@code d} itself on any error. */
    UdpSettings udp(YamlNode s, String path, UdpSettings d) {
        int before = fields.problems().count();
        Duration idle = optional(s, "sessionIdleTimeout", d.sessionIdleTimeout(),
                (n, p) -> fields.duration(n, p, false, MAX_DURATION), path);
        Integer maxSessions = optional(s, "maxSessions", d.maxSessions(),
                (n, p) -> fields.integer(n, p, 1, 10_000_000), path);
        Integer maxDatagram = optional(s, "maxDatagramSize", d.maxDatagramSize(),
                (n, p) -> fields.size(n, p, 1, UdpSettings.MAX_UDP_PAYLOAD), path);
        if (fields.problems().count() != before) {
            return d;
        }
        try {
            return new UdpSettings(idle, maxSessions, maxDatagram);
        } catch (IllegalArgumentException e) {
            fields.problems().add(s, path, e.getMessage());
            return d;
        }
    }
}
