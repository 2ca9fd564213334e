package io.junction.agent.registry.api;

import java.nio.charset.StandardCharsets;

/**
 * One API response. Immutable.
 *
 * @param status      the HTTP status
 * @param contentType the body's type
 * @param body        the body
 * @param index       the {@code X-Consul-Index} to send, or 0 for none (writes)
 */
public record ApiResponse(int status, String contentType, byte[] body, long index) {
    static final String JSON = "application/json";
    static final String TEXT = "text/plain; charset=utf-8";

    public static ApiResponse text(int status, String text) {
        return new ApiResponse(status, TEXT, text.getBytes(StandardCharsets.UTF_8), 0);
    }

    public static ApiResponse ok() {
        return new ApiResponse(200, TEXT, new byte[0], 0);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
