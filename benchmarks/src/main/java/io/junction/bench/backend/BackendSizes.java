package io.junction.bench.backend;

/**
 * Message sizes of the backends that answer once and close ({@link BackendKind#RAW_CLOSE},
 * {@link BackendKind#HTTP_CLOSE}); the other backends ignore them. Immutable.
 *
 * @param requestBytes  bytes {@code raw-close} reads before it answers
 * @param responseBytes bytes {@code raw-close} writes, or the body size of {@code http-close}'s response
 */
public record BackendSizes(int requestBytes, int responseBytes) {
    /** Largest response: the backend keeps one shared copy of it in memory. */
    public static final int MAX_RESPONSE = 16 << 20;
    public static final BackendSizes DEFAULT = new BackendSizes(64, 128);

    public BackendSizes {
        if (requestBytes < 1 || requestBytes > 65_000) {
            throw new IllegalArgumentException("requestBytes: " + requestBytes + " (expected: 1..65000)");
        }
        if (responseBytes < 1 || responseBytes > MAX_RESPONSE) {
            throw new IllegalArgumentException("responseBytes: " + responseBytes + " (expected: 1.." + MAX_RESPONSE
                    + ")");
        }
    }
}
