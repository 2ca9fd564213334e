package io.junction.bench.run;

/**
 * The run cannot go on (a required target is unavailable, the backend port is taken, …); the message is for the
 * user. Immutable.
 */
public final class RunFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    public RunFailedException(String message) {
        super(message);
    }

    public RunFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
