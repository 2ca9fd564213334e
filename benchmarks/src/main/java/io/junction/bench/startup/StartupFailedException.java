package io.junction.bench.startup;

/** A start-up run that could not be measured: the agent exited, did not serve in time, or left no archive. */
public final class StartupFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    public StartupFailedException(String message) {
        super(message);
    }
}
