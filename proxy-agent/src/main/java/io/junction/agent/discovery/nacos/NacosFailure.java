package io.junction.agent.discovery.nacos;

/** Why a request to one Nacos server failed; the message names the server and the reason. Immutable. */
final class NacosFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What the client does about a failure. */
    enum Kind {
        /** The server refused the token or the credentials (401/403): log in again. */
        UNAUTHORIZED,
        /** The server does not serve this API version (no such path): try the next older one. */
        UNSUPPORTED,
        /** Anything else (refused connection, timeout, 5xx, a body that is not Nacos's): try the next server. */
        UNAVAILABLE
    }

    private final Kind kind;

    NacosFailure(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    Kind kind() {
        return kind;
    }
}
