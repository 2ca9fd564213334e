package io.junction.bench.load;

import io.junction.bench.backend.BackendKind;

import java.nio.charset.StandardCharsets;

/**
 * What a {@code tcp-bcf} client says and which backend answers it. Immutable.
 */
public enum BcfFlavor {
    /** {@code -s} zero bytes up; the {@code raw-close} backend writes {@code --response-size} bytes and closes. */
    RAW(BackendKind.RAW_CLOSE),
    /** An HTTP/1.1 GET with {@code Connection: close}; the {@code http-close} backend answers 200 and closes. */
    HTTP(BackendKind.HTTP_CLOSE);

    /** The request of the HTTP flavour, whatever {@code -s} says. */
    public static final String HTTP_REQUEST = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

    private final BackendKind backend;

    BcfFlavor(BackendKind backend) {
        this.backend = backend;
    }

    public BackendKind backend() {
        return backend;
    }

    public String cliName() {
        return name().toLowerCase();
    }

    /** The bytes each connection sends. */
    public byte[] request(int rawSize) {
        return this == HTTP ? HTTP_REQUEST.getBytes(StandardCharsets.US_ASCII) : new byte[rawSize];
    }
}
