package io.junction.core.model;

import java.time.Duration;
import java.util.Objects;

/**
 * TCP forwarding settings of one service. Immutable.
 *
 * @param connectTimeout          how long one connect attempt to a backend may take
 * @param maxConnectAttempts      attempts per client connection, each to a different backend than the previous one
 * @param idleTimeout             a connection with no bytes in either direction for this long is closed;
 *                                {@link Duration#ZERO} disables it
 * @param maxConnections          live client connections per listener; more are refused at once
 * @param drainTimeout            how long connections to a removed backend (or open at shutdown) may keep running;
 *                                {@link Duration#ZERO} means until they end by themselves
 * @param writeBufferHighWaterMark buffer memory queued towards one side (by capacity) before reading from the other
 *                                 side stops
 * @param writeBufferLowWaterMark  queued buffer memory below which reading resumes
 * @param splice                  whether bytes are forwarded with splice(2) (native epoll only; see {@link SpliceMode})
 * @param proxyProtocol           whether each backend connection starts with a PROXY protocol header, and which
 * @param acceptProxyProtocol     whether client connections must start with one ({@link ProxyProtocolAccept#OFF}: no)
 * @param connectionRateLimit     new connections per client source address ({@link ConnectionRateLimit#OFF}: no limit)
 */
public record TcpSettings(Duration connectTimeout, int maxConnectAttempts, Duration idleTimeout, int maxConnections,
                          Duration drainTimeout, int writeBufferHighWaterMark, int writeBufferLowWaterMark,
                          SpliceMode splice, ProxyProtocolSend proxyProtocol, ProxyProtocolAccept acceptProxyProtocol,
                          ConnectionRateLimit connectionRateLimit) {

    public static final TcpSettings DEFAULTS = new TcpSettings(
            Duration.ofSeconds(1), 3, Duration.ofHours(1), 16_384, Duration.ZERO, 32 * 1024, 16 * 1024,
            SpliceMode.OFF, ProxyProtocolSend.OFF, ProxyProtocolAccept.OFF, ConnectionRateLimit.OFF);

    public TcpSettings {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(splice, "splice");
        Objects.requireNonNull(proxyProtocol, "proxyProtocol");
        Objects.requireNonNull(acceptProxyProtocol, "acceptProxyProtocol");
        Objects.requireNonNull(connectionRateLimit, "connectionRateLimit");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Checks.positive("connectTimeout", connectTimeout);
        Checks.notNegative("idleTimeout", idleTimeout);
        Checks.notNegative("drainTimeout", drainTimeout);
        Checks.range("maxConnectAttempts", maxConnectAttempts, 1, 16);
        Checks.range("maxConnections", maxConnections, 1, 10_000_000);
        Checks.range("writeBufferHighWaterMark", writeBufferHighWaterMark, 1024, 64 * 1024 * 1024);
        Checks.range("writeBufferLowWaterMark", writeBufferLowWaterMark, 1, writeBufferHighWaterMark);
    }

    /** Settings without a connection-rate limit. */
    public TcpSettings(Duration connectTimeout, int maxConnectAttempts, Duration idleTimeout, int maxConnections,
                       Duration drainTimeout, int writeBufferHighWaterMark, int writeBufferLowWaterMark,
                       SpliceMode splice, ProxyProtocolSend proxyProtocol, ProxyProtocolAccept acceptProxyProtocol) {
        this(connectTimeout, maxConnectAttempts, idleTimeout, maxConnections, drainTimeout, writeBufferHighWaterMark,
                writeBufferLowWaterMark, splice, proxyProtocol, acceptProxyProtocol, ConnectionRateLimit.OFF);
    }

    /** Settings without PROXY protocol. */
    public TcpSettings(Duration connectTimeout, int maxConnectAttempts, Duration idleTimeout, int maxConnections,
                       Duration drainTimeout, int writeBufferHighWaterMark, int writeBufferLowWaterMark,
                       SpliceMode splice) {
        this(connectTimeout, maxConnectAttempts, idleTimeout, maxConnections, drainTimeout, writeBufferHighWaterMark,
                writeBufferLowWaterMark, splice, ProxyProtocolSend.OFF, ProxyProtocolAccept.OFF, ConnectionRateLimit.OFF);
    }

    /** Settings with splice {@link SpliceMode#OFF} and without PROXY protocol. */
    public TcpSettings(Duration connectTimeout, int maxConnectAttempts, Duration idleTimeout, int maxConnections,
                       Duration drainTimeout, int writeBufferHighWaterMark, int writeBufferLowWaterMark) {
        this(connectTimeout, maxConnectAttempts, idleTimeout, maxConnections, drainTimeout, writeBufferHighWaterMark,
                writeBufferLowWaterMark, SpliceMode.OFF);
    }

    public TcpSettings withConnectTimeout(Duration value) {
        return new TcpSettings(value, maxConnectAttempts, idleTimeout, maxConnections, drainTimeout,
                writeBufferHighWaterMark, writeBufferLowWaterMark, splice, proxyProtocol,
                acceptProxyProtocol, connectionRateLimit);
    }

    public TcpSettings withMaxConnectAttempts(int value) {
        return new TcpSettings(connectTimeout, value, idleTimeout, maxConnections, drainTimeout,
                writeBufferHighWaterMark, writeBufferLowWaterMark, splice, proxyProtocol,
                acceptProxyProtocol, connectionRateLimit);
    }

    public TcpSettings withIdleTimeout(Duration value) {
        return new TcpSettings(connectTimeout, maxConnectAttempts, value, maxConnections, drainTimeout,
                writeBufferHighWaterMark, writeBufferLowWaterMark, splice, proxyProtocol,
                acceptProxyProtocol, connectionRateLimit);
    }

    public TcpSettings withMaxConnections(int value) {
        return new TcpSettings(connectTimeout, maxConnectAttempts, idleTimeout, value, drainTimeout,
                writeBufferHighWaterMark, writeBufferLowWaterMark, splice, proxyProtocol,
                acceptProxyProtocol, connectionRateLimit);
    }

    public TcpSettings withDrainTimeout(Duration value) {
        return new TcpSettings(connectTimeout, maxConnectAttempts, idleTimeout, maxConnections, value,
                writeBufferHighWaterMark, writeBufferLowWaterMark, splice, proxyProtocol,
                acceptProxyProtocol, connectionRateLimit);
    }

    public TcpSettings withWriteBufferWaterMarks(int low, int high) {
        return new TcpSettings(connectTimeout, maxConnectAttempts, idleTimeout, maxConnections, drainTimeout,
                high, low, splice, proxyProtocol, acceptProxyProtocol, connectionRateLimit);
    }

    public TcpSettings withSplice(SpliceMode value) {
        return new TcpSettings(connectTimeout, maxConnectAttempts, idleTimeout, maxConnections, drainTimeout,
                writeBufferHighWaterMark, writeBufferLowWaterMark, value, proxyProtocol,
                acceptProxyProtocol, connectionRateLimit);
    }

    public TcpSettings withProxyProtocol(ProxyProtocolSend value) {
        return new TcpSettings(connectTimeout, maxConnectAttempts, idleTimeout, maxConnections, drainTimeout,
                writeBufferHighWaterMark, writeBufferLowWaterMark, splice, value, acceptProxyProtocol,
                connectionRateLimit);
    }

    public TcpSettings withAcceptProxyProtocol(ProxyProtocolAccept value) {
        return new TcpSettings(connectTimeout, maxConnectAttempts, idleTimeout, maxConnections, drainTimeout,
                writeBufferHighWaterMark, writeBufferLowWaterMark, splice, proxyProtocol, value,
                connectionRateLimit);
    }

    public TcpSettings withConnectionRateLimit(ConnectionRateLimit value) {
        return new TcpSettings(connectTimeout, maxConnectAttempts, idleTimeout, maxConnections, drainTimeout,
                writeBufferHighWaterMark, writeBufferLowWaterMark, splice, proxyProtocol, acceptProxyProtocol, value);
    }
}
