package io.junction.bench.backend;

import io.junction.core.model.Protocol;

/**
 * The built-in backends. Immutable.
 */
public enum BackendKind {
    /** Discards everything it reads. */
    SINK("sink", Protocol.TCP),
    /**
     * Reads a one-byte header ({@code U}, {@code D} or {@code B}, see {@link StreamDirection}), then discards what
     * it reads and, for {@code D} and {@code B}, sends an endless stream until the client closes.
     */
    STREAM("stream", Protocol.TCP),
    /** Writes back every byte it reads. */
    ECHO("echo", Protocol.TCP),
    /** Answers every HTTP/1.x request (ending in an empty line) with a fixed 200 response; keep-alive. */
    HTTP("http", Protocol.TCP),
    /**
     * Answers the first HTTP/1.x request with a 200 carrying {@code Connection: close} and a body of the response
     * size, then closes the connection first (the {@code tcp-bcf} HTTP flavour).
     */
    HTTP_CLOSE("http-close", Protocol.TCP),
    /**
     * Reads a request of the request size, writes a response of the response size, then closes the connection
     * first (the {@code tcp-bcf} raw flavour).
     */
    RAW_CLOSE("raw-close", Protocol.TCP),
    /** Sends every datagram back to its sender. */
    UDP_ECHO("udp-echo", Protocol.UDP);

    private final String cliName;
    private final Protocol protocol;

    BackendKind(String cliName, Protocol protocol) {
        this.cliName = cliName;
        this.protocol = protocol;
    }

    /** The name used on the command line and in reports. */
    public String cliName() {
        return cliName;
    }

    public Protocol protocol() {
        return protocol;
    }

    /** Parses a command-line name such as {@code udp-echo}. */
    public static BackendKind fromCliName(String name) {
        for (BackendKind kind : values()) {
            if (kind.cliName.equals(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("backend: " + name
                + " (expected: sink, stream, echo, http, http-close, raw-close or udp-echo)");
    }
}
