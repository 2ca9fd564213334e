package io.junction.agent.registry.api;

/** A request the API refuses: the HTTP status, the reason counted in metrics and the text sent back. */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Refusal refusal;

    public ApiException(int status, Refusal refusal, String message) {
        super(message, null, false, false);
        this.status = status;
        this.refusal = refusal;
    }

    public static ApiException invalid(String message) {
        return new ApiException(400, Refusal.INVALID, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, Refusal.NOT_FOUND, message);
    }

    public int status() {
        return status;
    }

    public Refusal refusal() {
        return refusal;
    }
}
